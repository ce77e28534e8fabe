import Foundation

/// Flushes a file or a folder to the disk through a descriptor of its own: a
/// flush covers the data of every descriptor open on that file.
enum FileFlush {
    /// `fdatasync`s the file at `path` (`fsync` for a folder, whose entries are
    /// what must survive), retrying on `EINTR`.
    ///
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` with the system's reason.
    static func flush(_ path: String, folder: Bool = false) throws(StoreError) {
        let what = folder ? "the store's folder" : "the file"
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | (folder ? O_DIRECTORY : 0))
        guard descriptor >= 0 else { throw failure(path, "cannot open \(what)") }
        defer { close(descriptor) }
        while (folder ? fsync(descriptor) : fdatasync(descriptor)) != 0 {
            if errno != EINTR { throw failure(path, "cannot flush \(what) to disk") }
        }
    }

    private static func failure(_ path: String, _ what: String) -> StoreError {
        .cannotOpen(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}
