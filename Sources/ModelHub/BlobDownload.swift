import Foundation
import NIOCore

/// Downloads one file into `blobs/<etag>.incomplete`, appending to what an earlier, interrupted run left
/// there (HTTP Range), checks the whole file against the Hub's hash, and only then renames it to
/// `blobs/<etag>`. Nothing links to an `.incomplete` file, so an interrupted or failed download is never
/// used; a damaged one is deleted.
struct BlobDownload {
    let transport: HubTransport
    let progress: FetchProgress
    let repo: String
    let revision: String
    let file: RepoFile
    /// Where to GET the bytes (the CDN address the Hub redirected to, or /resolve itself).
    let source: URL
    let size: Int64
    let verification: Verification
    let blob: URL
    let lock: URL

    var incomplete: URL { URL(fileURLWithPath: blob.path + ".incomplete") }

    /// Bytes an earlier run had left (reused) and bytes received now.
    struct Outcome { var resumed: Int64 = 0; var received: Int64 = 0 }

    func run() async throws -> Outcome {
        let lockFD = try CacheFiles.acquireLock(lock)
        defer { close(lockFD) }
        // Another process may have finished it just before we took the lock.
        if FileManager.default.fileExists(atPath: blob.path) { return Outcome() }
        let out = try PartialFile(url: incomplete)
        defer { out.close() }
        if out.length > size { try out.truncate() }
        var resumed = out.length
        var hasher = verification.hasher(size: size)
        try out.hashExisting(into: &hasher)
        progress.startFile(file.path, resumed: out.length)
        defer { progress.finishFile() }

        let host = hostName(source)
        var failures = 0
        while out.length < size {
            let before = out.length
            do {
                try await receive(into: out, hasher: &hasher, resumed: &resumed)
            } catch let failure as TransientFailure {
                failures = out.length > before ? 1 : failures + 1
                try await transport.pause(after: failures, failure, host: host)
            }
        }
        // `receive` never lets the file grow past `size`, so here it is exactly `size` bytes.
        if let expected = verification.expected, let actual = hasher.finalize(), actual != expected {
            try? FileManager.default.removeItem(at: incomplete)
            throw HubError.hashMismatch(path: file.path, algorithm: verification.label, expected: expected, actual: actual)
        }
        try out.sync()
        try CacheFiles.rename(incomplete, to: blob)
        return Outcome(resumed: resumed, received: size - resumed)
    }

    /// One GET from the current length on. Returns when the body ended; the caller checks the length.
    private func receive(into out: PartialFile, hasher: inout StreamHasher, resumed: inout Int64) async throws {
        let start = out.length
        let range = start > 0 ? [("Range", "bytes=\(start)-")] : []
        let response = try await transport.send(.GET, source, headers: range, redirects: .all)
        try await transport.check(response, repo: repo, revision: revision, path: file.path)
        switch response.status {
        case 206:
            let contentRange = response.headers.first(name: "Content-Range") ?? ""
            guard contentRange.hasPrefix("bytes \(start)-") else {
                throw HubError.badResponse(host: hostName(response.url),
                                           detail: "asked for bytes \(start)- of \(file.path), got '\(contentRange)'")
            }
        case 200 where start > 0:
            // The server ignored the Range header and sends everything: start over.
            try out.truncate()
            hasher = verification.hasher(size: size)
            progress.discard(start)
            resumed = 0
        default:
            break
        }
        do {
            for try await chunk in response.body {
                try chunk.withUnsafeReadableBytes { bytes in
                    guard out.length + Int64(bytes.count) <= size else {
                        throw HubError.sizeMismatch(path: file.path, expected: size, actual: out.length + Int64(bytes.count))
                    }
                    try out.append(bytes)
                    hasher.update(bytes)
                }
                progress.received(chunk.readableBytes)
            }
        } catch let error as HubError {
            if case .sizeMismatch = error { try? FileManager.default.removeItem(at: incomplete) }
            throw error
        } catch {
            throw TransientFailure(detail: describe(error) + " after \(formatBytes(out.length)) of \(file.path)")
        }
        if out.length < size {
            throw TransientFailure(detail: "the connection ended after \(formatBytes(out.length)) of \(file.path)")
        }
    }
}
