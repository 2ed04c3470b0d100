import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// A loopback imitation of the Hugging Face Hub serving one model repository, for `loupe fetch` tests.
/// Two servers on 127.0.0.1 with ephemeral ports: the Hub (`/api/models/…/revision/…`,
/// `/{repo}/resolve/{rev}/{path}`) and a "CDN" that LFS files redirect to, so a redirect crosses origins
/// as the real one does. Headers follow the Hub: `X-Repo-Commit`, `ETag` (git blob id) for files in git,
/// a 302 with `X-Linked-Etag` (sha256) and `X-Linked-Size` for LFS files, `X-Error-Code` on errors, and
/// 401 instead of 404 for an unknown repository asked without a token.
///
/// Hashes come from `sha256sum` and `git hash-object`, not from the code under test. Every request is
/// logged; faults (a connection dropped after N bytes, a flipped byte) are set per file.
public final class HubImitation: @unchecked Sendable {
    public struct File: Sendable {
        public let path: String
        public let data: Data
        public let lfs: Bool
        public let sha256: String
        public let gitBlobId: String
        /// What git stores: the content, or the LFS pointer for an LFS file.
        public let gitObjectId: String
        /// The name huggingface_hub gives the blob in the cache (the ETag).
        public var etag: String { lfs ? sha256 : gitBlobId }
    }

    public enum Access: Sendable {
        case open
        /// Every route needs `Authorization: Bearer <token>` (401 RepoNotFound otherwise, as the Hub hides it).
        case privateRepo(token: String)
        /// Metadata is public, files need the token: 401 without one, 403 with a wrong one (GatedRepo).
        case gated(token: String)
    }

    public enum Server: String, Sendable { case hub, cdn }

    public struct LoggedRequest: Sendable {
        public let server: Server
        public let method: String
        public let path: String
        public let range: String?
        public let authorization: String?
    }

    public let repo: String
    public let commit: String
    public let files: [File]
    public let access: Access

    private let lock = NSLock()
    private var refs: [String: String]
    private var drops: [String: (bytes: Int, times: Int)] = [:]
    private var corruptions: [String: Int] = [:]
    private var log: [LoggedRequest] = []
    private var servers: [Task<Void, Error>] = []
    public private(set) var hubPort = 0
    public private(set) var cdnPort = 0

    public var endpoint: String { "http://127.0.0.1:\(hubPort)" }

    /// Serves the files under `directory` (recursively) as `repo` at `commit`, which `main` points to.
    public init(repo: String, directory: URL, lfs: Set<String>, commit: String, access: Access = .open) throws {
        self.repo = repo; self.commit = commit; self.access = access
        refs = ["main": commit]
        let root = directory.resolvingSymlinksInPath().path
        var files: [File] = []
        for path in try FileManager.default.subpathsOfDirectory(atPath: root).sorted() {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDir), !isDir.boolValue else { continue }
            let url = URL(fileURLWithPath: root + "/" + path)
            let data = try Data(contentsOf: url)
            let sha256 = try Self.tool("sha256sum", url.path).prefix(64)
            let gitBlob = try Self.tool("git", "hash-object", url.path)
            var objectId = gitBlob
            if lfs.contains(path) {
                let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:\(sha256)\nsize \(data.count)\n"
                let pointerFile = FileManager.default.temporaryDirectory.appendingPathComponent("lfs-pointer-\(UUID().uuidString)")
                try pointer.write(to: pointerFile, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(at: pointerFile) }
                objectId = try Self.tool("git", "hash-object", pointerFile.path)
            }
            files.append(File(path: path, data: data, lfs: lfs.contains(path), sha256: String(sha256),
                              gitBlobId: gitBlob, gitObjectId: objectId))
        }
        self.files = files
    }

    public func file(_ path: String) -> File? { files.first { $0.path == path } }

    /// Another branch or tag pointing at a commit; the files are the same.
    public func addRevision(_ name: String, commit: String) { lock.withLock { refs[name] = commit } }

    /// The next `times` GETs of `path` send `bytes` bytes of their body, then close the connection.
    public func dropConnection(_ path: String, afterBytes bytes: Int, times: Int = 1) {
        lock.withLock { drops[path] = (bytes, times) }
    }

    /// Every GET of `path` sends the byte at `offset` flipped.
    public func corrupt(_ path: String, atOffset offset: Int) { lock.withLock { corruptions[path] = offset } }

    public func clearFaults() { lock.withLock { drops = [:]; corruptions = [:] } }

    public var requests: [LoggedRequest] { lock.withLock { log } }
    public func clearLog() { lock.withLock { log = [] } }

    public func start() async throws {
        hubPort = try await serve(hubRouter())
        cdnPort = try await serve(cdnRouter())
    }

    public func stop() async {
        for task in servers { task.cancel() }
        for task in servers { _ = await task.result }
        servers = []
    }

    // MARK: Routes

    private func hubRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/api/models/:org/:name/revision/:rev") { request, context in
            self.record(.hub, request)
            let id = "\(context.parameters.get("org") ?? "")/\(context.parameters.get("name") ?? "")"
            if let refusal = self.refuse(request, repo: id, files: false) { return refusal }
            guard let commit = self.resolve(context.parameters.get("rev") ?? "") else {
                return Self.error(.notFound, code: "RevisionNotFound", commit: nil)
            }
            let siblings: [[String: Any]] = self.files.map { f in
                var entry: [String: Any] = ["rfilename": f.path, "size": f.data.count, "blobId": f.gitObjectId]
                if f.lfs { entry["lfs"] = ["sha256": f.sha256, "size": f.data.count, "pointerSize": 134] }
                return entry
            }
            let json = try JSONSerialization.data(withJSONObject: ["id": id, "sha": commit, "siblings": siblings])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: json)))
        }
        let resolve: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            self.record(.hub, request)
            let id = "\(context.parameters.get("org") ?? "")/\(context.parameters.get("name") ?? "")"
            if let refusal = self.refuse(request, repo: id, files: true) { return refusal }
            guard let commit = self.resolve(context.parameters.get("rev") ?? "") else {
                return Self.error(.notFound, code: "RevisionNotFound", commit: nil)
            }
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard let file = self.file(path) else { return Self.error(.notFound, code: "EntryNotFound", commit: commit) }
            var headers = HTTPFields()
            headers[Self.field("X-Repo-Commit")] = commit
            if file.lfs {
                headers[.location] = "http://127.0.0.1:\(self.cdnPort)/cdn/\(file.sha256)?signature=imitation"
                headers[Self.field("X-Linked-Etag")] = "\"\(file.sha256)\""
                headers[Self.field("X-Linked-Size")] = "\(file.data.count)"
                headers[.eTag] = "W/\"redirect-\(file.gitObjectId)\""  // describes the redirect, not the file
                headers[.contentLength] = "0"
                return Response(status: .found, headers: headers, body: .init())
            }
            headers[.eTag] = "\"\(file.gitBlobId)\""
            if request.method == .head {
                headers[.contentLength] = "\(file.data.count)"
                return Response(status: .ok, headers: headers, body: .init())
            }
            return self.serveBytes(file, request, headers: headers)
        }
        router.head("/:org/:name/resolve/:rev/**", use: resolve)
        router.get("/:org/:name/resolve/:rev/**", use: resolve)
        return router
    }

    private func cdnRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/cdn/:sha") { request, context in
            self.record(.cdn, request)
            guard let file = self.files.first(where: { $0.lfs && $0.sha256 == context.parameters.get("sha") }) else {
                return Response(status: .notFound)
            }
            return self.serveBytes(file, request, headers: [.eTag: "\"\(file.sha256)\""])
        }
        return router
    }

    /// The file's bytes, from a `Range: bytes=N-` start if asked (206), with this file's faults.
    private func serveBytes(_ file: File, _ request: Request, headers: HTTPFields) -> Response {
        var headers = headers
        var data = file.data
        let (drop, corruptAt) = lock.withLock { () -> (Int?, Int?) in
            var cut: Int?
            if let d = drops[file.path], d.times > 0 {
                cut = d.bytes
                drops[file.path] = (d.bytes, d.times - 1)
            }
            return (cut, corruptions[file.path])
        }
        if let corruptAt, corruptAt < data.count { data[corruptAt] ^= 0xFF }
        var start = 0, status = HTTPResponse.Status.ok
        if let range = request.headers[.range], range.hasPrefix("bytes="), range.hasSuffix("-"),
           let from = Int(range.dropFirst(6).dropLast()) {
            guard from < data.count else { return Response(status: .rangeNotSatisfiable) }
            start = from; status = .partialContent
            headers[.contentRange] = "bytes \(from)-\(data.count - 1)/\(data.count)"
        }
        let body = data.subdata(in: start..<data.count)
        headers[.contentLength] = "\(body.count)"
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: body.count) { writer in
            let end = drop.map { min($0, body.count) } ?? body.count
            var offset = 0
            while offset < end {
                let n = min(32 << 10, end - offset)
                try await writer.write(ByteBuffer(data: body.subdata(in: offset..<offset + n)))
                offset += n
            }
            if drop != nil { throw CancellationError() }  // Hummingbird closes the connection mid-body
            try await writer.finish(nil)
        })
    }

    /// The Hub's answers to a repository it will not show: unknown (401 without a token, 404 with one),
    /// private without the right token (401), gated files without the right token (401 / 403).
    private func refuse(_ request: Request, repo id: String, files: Bool) -> Response? {
        let sent = request.headers[.authorization]
        guard id == repo else {
            return Self.error(sent == nil ? .unauthorized : .notFound, code: "RepoNotFound", commit: nil)
        }
        switch access {
        case .open:
            return nil
        case .privateRepo(let token):
            return sent == "Bearer \(token)" ? nil : Self.error(.unauthorized, code: "RepoNotFound", commit: nil)
        case .gated(let token):
            guard files, sent != "Bearer \(token)" else { return nil }
            return Self.error(sent == nil ? .unauthorized : .forbidden, code: "GatedRepo", commit: nil)
        }
    }

    private func resolve(_ revision: String) -> String? {
        lock.withLock { refs[revision] ?? (refs.values.contains(revision) ? revision : nil) }
    }

    private func record(_ server: Server, _ request: Request) {
        let entry = LoggedRequest(server: server, method: request.method.rawValue, path: request.uri.path,
                                  range: request.headers[.range], authorization: request.headers[.authorization])
        lock.withLock { log.append(entry) }
    }

    private static func error(_ status: HTTPResponse.Status, code: String, commit: String?) -> Response {
        var headers: HTTPFields = [field("X-Error-Code"): code, .contentType: "application/json"]
        if let commit { headers[field("X-Repo-Commit")] = commit }
        let body = ByteBuffer(string: "{\"error\": \"\(code)\"}")
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    private static func field(_ name: String) -> HTTPField.Name { HTTPField.Name(name)! }

    private func serve(_ router: Router<BasicRequestContext>) async throws -> Int {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "hub-imitation")
        logger.logLevel = .critical  // stopping logs CancellationError at .error
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in
                                  continuation.yield(channel.localAddress?.port ?? 0)
                                  continuation.finish()
                              }, logger: logger)
        servers.append(Task { try await app.run() })
        for await port in ports where port > 0 { return port }
        throw ImitationError("the imitation server did not start")
    }

    /// Runs a command-line tool and returns its first output word (a hash).
    private static func tool(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let word = String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).first else {
            throw ImitationError("\(arguments.joined(separator: " ")) failed")
        }
        return String(word)
    }
}

public struct ImitationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
