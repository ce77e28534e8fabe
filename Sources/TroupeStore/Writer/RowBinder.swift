internal import GRDB
internal import GRDBSQLite

/// Binds one row's values to a prepared statement, in order, and runs it, through
/// SQLite's C API.
///
/// The statement stays GRDB's (cached, finalized by GRDB): the binder only binds,
/// steps once and resets it, so GRDB finds it as it left it. Texts are copied by
/// SQLite (`SQLITE_TRANSIENT`), so no Swift string needs to outlive a bind.
struct RowBinder {
    private let statement: Statement
    private let handle: OpaquePointer
    private var index: Int32 = 0

    init(_ statement: Statement) {
        self.statement = statement
        handle = statement.sqliteStatement
    }

    mutating func bind(_ text: String) {
        index += 1
        var text = text
        let index = index
        text.withUTF8 { bytes in
            _ = sqlite3_bind_text(handle, index, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                  Int32(bytes.count), Self.transient)
        }
    }

    mutating func bind(_ text: String?) {
        guard let text else { return bindNull() }
        bind(text)
    }

    mutating func bind(_ value: Int) { bind(Int64(value)) }

    mutating func bind(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    mutating func bind(_ value: Double) {
        index += 1
        sqlite3_bind_double(handle, index, value)
    }

    mutating func bind(_ value: Double?) {
        guard let value else { return bindNull() }
        bind(value)
    }

    private mutating func bindNull() {
        index += 1
        sqlite3_bind_null(handle, index)
    }

    /// Steps the statement once and resets it.
    ///
    /// - Throws: `DatabaseError` with SQLite's result code and message, as GRDB
    ///   would have thrown it (so busy errors are recognized as such).
    func run(_ db: Database) throws {
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            let message = db.sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        sqlite3_reset(handle)
    }

    /// SQLite copies the bytes before the bind returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
