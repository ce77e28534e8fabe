internal import GRDB
internal import GRDBSQLite

/// Reads the rows of a prepared statement through SQLite's C API: the read side of
/// ``RowBinder``, for the query a replay or resume waits on.
///
/// GRDB's `Row` copies each row and decodes every value through generic
/// conversions; for the effects of a 1,000-step run that was three quarters of
/// the load. The reader hands the decoder the current row in place. The statement
/// stays GRDB's: it is reset when the rows are read, as GRDB expects to find it.
struct RowReader {
    private let handle: OpaquePointer

    private init(_ handle: OpaquePointer) { self.handle = handle }

    /// Binds `argument` to the statement's one parameter, then decodes every row.
    ///
    /// - Throws: `DatabaseError` with SQLite's code and message, as GRDB would
    ///   throw it (so a busy database is recognized as such), or what `decode` throws.
    static func fetchAll<T>(_ statement: Statement, _ db: Database, argument: String,
                            decode: (RowReader) throws -> T) throws -> [T] {
        var binder = RowBinder(statement)
        binder.bind(argument)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        let reader = RowReader(handle)
        var rows: [T] = []
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return rows }
            guard code == SQLITE_ROW else {
                let message = db.sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
            }
            rows.append(try decode(reader))
        }
    }

    /// The text in `column` (empty for NULL, which the STRICT schema's NOT NULL
    /// columns never hold).
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : text(column)
    }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    func optionalDouble(_ column: Int32) -> Double? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : double(column)
    }
}
