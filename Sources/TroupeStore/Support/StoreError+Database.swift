internal import GRDB

extension StoreError {
    /// The store error for any error thrown while using the store at `path`.
    static func wrapping(_ error: any Error, path: String, busyTimeout: Double) -> StoreError {
        switch error {
        case let error as StoreError:
            return error
        case let error as DatabaseError:
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return .locked(path: path, waitedSeconds: busyTimeout)
            case .SQLITE_NOTADB:
                return .notATroupeStore(path: path, reason: "it is not an SQLite database")
            case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY:
                return .cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
            default:
                return .database(path: path, message: error.message ?? "\(error)")
            }
        default:
            return .database(path: path, message: "\(error)")
        }
    }

    /// Whether `error` is SQLite saying another connection holds a lock.
    static func isBusy(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }
}
