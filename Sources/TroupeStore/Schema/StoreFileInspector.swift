import Foundation
internal import GRDB

/// Decides, by reading only, whether a file may be opened as a Troupe store.
///
/// Opening a `DatabasePool` writes (it switches the file to WAL), so a foreign
/// file must be recognised before that: the header is read with plain file I/O,
/// then the SQLite markers through a read-only connection.
enum StoreFileInspector {
    enum Verdict: Equatable {
        /// Nothing worth keeping is there: no file, an empty file, or an SQLite
        /// database with no schema and no application id. Create the store.
        case create
        /// A Troupe store this build can open.
        case troupeStore
    }

    /// The 16 bytes every SQLite database file starts with.
    private static let sqliteMagic = Array("SQLite format 3\0".utf8)

    static func inspect(path: String, busyTimeout: Double) throws -> Verdict {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty, !fileManager.fileExists(atPath: folder) {
                throw StoreError.cannotOpen(path: path, reason: "the folder \(folder) does not exist")
            }
            return .create
        }
        if isDirectory.boolValue {
            throw StoreError.cannotOpen(path: path, reason: "it is a folder")
        }
        if fileManager.fileExists(atPath: path + "-journal") {
            rollBackHotJournal(path: path, busyTimeout: busyTimeout)
        }
        let header: Data
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            header = try handle.read(upToCount: 100) ?? Data()
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "it cannot be read (\(error.localizedDescription))")
        }
        if header.isEmpty { return .create }
        guard header.count == 100, Array(header.prefix(16)) == sqliteMagic else {
            throw StoreError.notATroupeStore(path: path, reason: "it is not an SQLite database")
        }
        return try inspectDatabase(path: path, busyTimeout: busyTimeout)
    }

    /// A process killed mid-transaction (typically while creating the store, before
    /// it switched to WAL) leaves a hot rollback journal, which a read-only
    /// connection cannot roll back ("attempt to write a readonly database") and
    /// which may leave page 1 unwritten. Opening the file read-write lets SQLite
    /// roll it back to its last committed state, as any SQLite client would;
    /// committed content is not changed. Best effort: if it fails, the inspection
    /// that follows reports what is wrong.
    private static func rollBackHotJournal(path: String, busyTimeout: Double) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "TroupeStore.recover"
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return }
        _ = try? queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
        try? queue.close()
    }

    private static func inspectDatabase(path: String, busyTimeout: Double) throws -> Verdict {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "TroupeStore.inspect"
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                if applicationID == StoreSchema.applicationID {
                    let applied = try StoreSchema.migrator.appliedIdentifiers(db)
                    let unknown = applied.subtracting(StoreSchema.migrationIdentifiers)
                    guard unknown.isEmpty else {
                        throw StoreError.newerSchema(path: path, unknownMigrations: unknown.sorted())
                    }
                    return .troupeStore
                }
                // A store being created by another process right now shows only
                // GRDB's empty migrations table (created before the migration that
                // builds the schema and sets the application id): that is ours too.
                let objects = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM sqlite_master
                    WHERE name NOT IN ('grdb_migrations', 'sqlite_autoindex_grdb_migrations_1')
                    """) ?? 0
                let migrationRows = try db.tableExists("grdb_migrations")
                    ? try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") ?? 0
                    : 0
                if applicationID == 0, objects == 0, migrationRows == 0 { return .create }
                let reason = applicationID == 0
                    ? "it is an SQLite database with \(objects) tables, indexes or views of another application"
                    : "it is the SQLite database of another application (application_id \(applicationID))"
                throw StoreError.notATroupeStore(path: path, reason: reason)
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                throw StoreError.notATroupeStore(path: path, reason: "it is not a valid SQLite database (\(error.message ?? "\(error.resultCode)"))")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw StoreError.locked(path: path, waitedSeconds: busyTimeout)
            default:
                throw StoreError.cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
            }
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
    }
}
