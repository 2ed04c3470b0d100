import Foundation

/// File-system steps of writing the HF cache, each mapped to a `HubError` that names the path.
enum CacheFiles {
    static func createDirectory(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw HubError.fileSystem(path: url.path, detail: "cannot create the folder (\(error.localizedDescription))")
        }
    }

    /// Takes the per-blob lock huggingface_hub also uses (`.locks/models--ORG--NAME/<etag>.lock`, flock),
    /// so two downloads never append to the same `.incomplete` file. Does not wait.
    static func acquireLock(_ url: URL) throws -> Int32 {
        try createDirectory(url.deletingLastPathComponent())
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw error(errno, url, doing: "cannot open the lock file") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { throw HubError.busy(lock: url.path) }
            throw error(code, url, doing: "cannot lock")
        }
        return fd
    }

    static func rename(_ from: URL, to: URL) throws {
        guard Foundation.rename(from.path, to.path) == 0 else { throw error(errno, to, doing: "cannot rename the finished download") }
    }

    /// `pointer` → `target` as a relative link (`../../blobs/<etag>` from the snapshot's top level), so the
    /// cache can be moved as a whole; replaces a stale link.
    static func link(_ pointer: URL, to target: URL, relativeTo repository: URL) throws {
        try createDirectory(pointer.deletingLastPathComponent())
        let depth = pointer.pathComponents.count - repository.pathComponents.count - 1
        let relative = String(repeating: "../", count: depth)
            + target.pathComponents.dropFirst(repository.pathComponents.count).joined(separator: "/")
        _ = unlink(pointer.path)
        guard symlink(relative, pointer.path) == 0 else { throw error(errno, pointer, doing: "cannot create the link") }
    }

    /// Writes `content` under its final name atomically (temporary file, then rename).
    static func writeAtomically(_ content: String, to url: URL) throws {
        try createDirectory(url.deletingLastPathComponent())
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do { try content.write(to: temporary, atomically: false, encoding: .utf8) } catch {
            throw HubError.fileSystem(path: temporary.path, detail: "cannot write (\(error.localizedDescription))")
        }
        try rename(temporary, to: url)
    }

    /// Free bytes for an unprivileged user on the file system that holds `url` (or its nearest existing parent).
    static func freeSpace(at url: URL) -> Int64? {
        var dir = url
        while !FileManager.default.fileExists(atPath: dir.path), dir.pathComponents.count > 1 { dir.deleteLastPathComponent() }
        var stats = statvfs()
        guard statvfs(dir.path, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }

    static func error(_ code: Int32, _ url: URL, doing what: String) -> HubError {
        if code == ENOSPC || code == EDQUOT {
            return .diskFull(directory: url.deletingLastPathComponent().path, needed: 0, available: freeSpace(at: url) ?? 0)
        }
        return .fileSystem(path: url.path, detail: "\(what): \(String(cString: strerror(code)))")
    }
}

/// An `.incomplete` file opened for appending.
final class PartialFile {
    let url: URL
    private let fd: Int32
    private(set) var length: Int64

    init(url: URL) throws {
        self.url = url
        // 0o666 and the umask: the same permissions as any file the user creates (huggingface_hub does the same).
        fd = open(url.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw CacheFiles.error(errno, url, doing: "cannot open") }
        var st = stat()
        guard fstat(fd, &st) == 0 else { let e = errno; Foundation.close(fd); throw CacheFiles.error(e, url, doing: "cannot stat") }
        length = Int64(st.st_size)
    }

    func close() { Foundation.close(fd) }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw CacheFiles.error(errno, url, doing: "cannot write")
            }
            offset += n
        }
        length += Int64(bytes.count)
    }

    func truncate() throws {
        guard ftruncate(fd, 0) == 0 else { throw CacheFiles.error(errno, url, doing: "cannot truncate") }
        length = 0
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw CacheFiles.error(errno, url, doing: "cannot flush to disk") }
    }

    /// Feeds the bytes an earlier run left into `hasher`, so the final check covers the whole file.
    func hashExisting(into hasher: inout StreamHasher) throws {
        guard length > 0 else { return }
        let reader = open(url.path, O_RDONLY | O_CLOEXEC)
        guard reader >= 0 else { throw CacheFiles.error(errno, url, doing: "cannot read") }
        defer { Foundation.close(reader) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var remaining = length
        while remaining > 0 {
            let n = read(reader, buffer.baseAddress!, Int(min(Int64(buffer.count), remaining)))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw CacheFiles.error(n < 0 ? errno : EIO, url, doing: "cannot read") }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            remaining -= Int64(n)
        }
    }
}
