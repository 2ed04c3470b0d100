import AsyncHTTPClient
import Foundation
import JinaEmbeddings
import NIOCore

/// What a fetch did.
public struct FetchReport: Sendable {
    public var repo: String
    public var revision: String
    public var commit: String
    /// `snapshots/<commit>`: the folder to pass to `--model`, and the one ModelLocator finds.
    public var snapshot: URL
    /// The selected files, smallest first.
    public var files: [RepoFile]
    /// Files downloaded in this run, and files linked to a blob that was already in the cache.
    public var downloaded: [String] = []
    public var linked: [String] = []
    /// Bytes received in this run, and bytes an earlier interrupted run had left that were reused.
    public var bytesReceived: Int64 = 0
    public var bytesResumed: Int64 = 0
    /// Files checked by size only (the server reported no hash for them).
    public var sizeOnly: [String] = []

    /// Every selected file was already in the snapshot: nothing was downloaded or linked.
    public var wasComplete: Bool { downloaded.isEmpty && linked.isEmpty }
}

/// `loupe fetch`: downloads a model repository from the Hugging Face Hub into the HF cache, laid out as
/// huggingface_hub's snapshot_download lays it out (see `HubCache`).
///
/// 1. GET `/api/models/{repo}/revision/{rev}?blobs=true`: the commit, and each file's size and hash.
/// 2. Files already linked in `snapshots/<commit>/` cost nothing; a file whose blob is in the cache (from
///    another revision) is only linked.
/// 3. Each remaining file, smallest first (so model.safetensors, which ModelLocator looks for, comes
///    last): HEAD `/{repo}/resolve/{commit}/{path}` for its ETag (`X-Linked-Etag` for LFS files), size
///    (`X-Linked-Size`), commit (`X-Repo-Commit`) and CDN address (`Location`); then `BlobDownload`.
/// 4. `refs/<revision>` gets the commit once every file is in place.
public struct ModelFetcher: Sendable {
    public var settings: HubSettings
    public var selection: FileSelection
    public var policy: RetryPolicy
    public let progress: FetchProgress
    /// Free bytes at a folder (replaceable in tests).
    public var freeSpace: @Sendable (URL) -> Int64? = { CacheFiles.freeSpace(at: $0) }

    public init(settings: HubSettings, selection: FileSelection = FileSelection(), policy: RetryPolicy = RetryPolicy(),
                progress: FetchProgress = FetchProgress()) {
        self.settings = settings; self.selection = selection; self.policy = policy; self.progress = progress
    }

    public func fetch(repo: String, revision: String = "main") async throws -> FetchReport {
        guard isRepositoryId(repo) else { throw HubError.invalidRepository(repo) }
        guard !revision.isEmpty, isSafeRelativePath(revision) else { throw HubError.revisionNotFound(repo: repo, revision: revision) }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: policy.connectTimeout, read: policy.readTimeout))
        // A failed connection fails the attempt at once; RetryPolicy does the retrying (and names the error).
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let transport = HubTransport(client: client, settings: settings, policy: policy)
        do {
            let report = try await run(repo: repo, revision: revision, transport: transport)
            try? await client.shutdown()
            return report
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func run(repo: String, revision: String, transport: HubTransport) async throws -> FetchReport {
        let listing = try await list(repo: repo, revision: revision, transport: transport)
        let cache = settings.cache, commit = listing.commit
        let files = try selection.apply(to: listing, repo: repo).sorted { ($0.size, $0.path) < ($1.size, $1.path) }
        var report = FetchReport(repo: repo, revision: revision, commit: commit,
                                 snapshot: cache.snapshot(repo, commit: commit), files: files)
        var missing: [RepoFile] = []
        for file in files where !FileManager.default.fileExists(atPath: pointer(file, report).path) {
            if let name = file.cacheBlobName, FileManager.default.fileExists(atPath: cache.blobs(repo).appendingPathComponent(name).path) {
                try CacheFiles.link(pointer(file, report), to: cache.blobs(repo).appendingPathComponent(name),
                                    relativeTo: cache.repository(repo))
                report.linked.append(file.path)
            } else {
                missing.append(file)
            }
        }
        if !missing.isEmpty {
            try checkSpace(for: missing, repo: repo)
            progress.begin(bytes: missing.reduce(0) { $0 + $1.size }, files: missing.count)
            for file in missing {
                try await download(file, repo: repo, report: &report, transport: transport)
            }
        }
        if revision != commit { try CacheFiles.writeAtomically(commit, to: cache.ref(repo, revision: revision)) }
        let tag = cache.root.appendingPathComponent("CACHEDIR.TAG")
        if !FileManager.default.fileExists(atPath: tag.path) { try? CacheFiles.writeAtomically(Self.cacheDirTag, to: tag) }
        return report
    }

    private func list(repo: String, revision: String, transport: HubTransport) async throws -> RepoListing {
        let url = try endpointURL(["api", "models"] + repo.split(separator: "/").map(String.init) + ["revision", revision],
                                  query: "blobs=true")
        return try await transport.retrying(host: hostName(url)) {
            let response = try await transport.send(.GET, url, redirects: .all)
            try await transport.check(response, repo: repo, revision: revision)
            let body: ByteBuffer
            do { body = try await response.body.collect(upTo: 64 << 20) } catch {
                throw TransientFailure(detail: describe(error))
            }
            return try RepoListing.decode(Data(body.readableBytesView), host: hostName(response.url))
        }
    }

    private func download(_ file: RepoFile, repo: String, report: inout FetchReport, transport: HubTransport) async throws {
        let cache = settings.cache, commit = report.commit
        let resolve = try endpointURL(repo.split(separator: "/").map(String.init) + ["resolve", commit]
                                      + file.path.split(separator: "/").map(String.init))
        let host = hostName(resolve)
        let head = try await transport.retrying(host: host) {
            let response = try await transport.send(.HEAD, resolve, redirects: .sameOriginOnly)
            try await transport.check(response, repo: repo, revision: report.revision, path: file.path)
            return response
        }
        let metadata = try FileMetadata(head, host: host, expectedCommit: commit, path: file.path)
        guard let verification = Verification.choose(file: file, etag: metadata.etag) else {
            throw HubError.badResponse(host: host, detail: "\(file.path): the file list and the file's ETag \(metadata.etag) disagree")
        }
        guard metadata.size == file.size else {
            throw HubError.badResponse(host: host, detail: "\(file.path): the file list says \(file.size) bytes, the file's headers \(metadata.size)")
        }
        if case .sizeOnly = verification { report.sizeOnly.append(file.path) }
        let blob = cache.blobs(repo).appendingPathComponent(metadata.etag)
        try CacheFiles.createDirectory(blob.deletingLastPathComponent())
        let lock = cache.root.appendingPathComponent(".locks").appendingPathComponent(cache.repository(repo).lastPathComponent)
            .appendingPathComponent(metadata.etag + ".lock")
        let job = BlobDownload(transport: transport, progress: progress, repo: repo, revision: report.revision, file: file,
                               source: metadata.location, size: metadata.size, verification: verification,
                               blob: blob, lock: lock)
        let outcome = try await job.run()
        try CacheFiles.link(pointer(file, report), to: blob, relativeTo: cache.repository(repo))
        report.downloaded.append(file.path)
        report.bytesResumed += outcome.resumed
        report.bytesReceived += outcome.received
    }

    private func pointer(_ file: RepoFile, _ report: FetchReport) -> URL {
        report.snapshot.appendingPathComponent(file.path)
    }

    /// All files to download must fit, less what earlier runs left in `.incomplete` files.
    private func checkSpace(for files: [RepoFile], repo: String) throws {
        let blobs = settings.cache.blobs(repo)
        let needed = files.reduce(Int64(0)) { sum, file in
            let partial = file.cacheBlobName.flatMap {
                try? FileManager.default.attributesOfItem(atPath: blobs.appendingPathComponent($0 + ".incomplete").path)[.size] as? Int64
            } ?? 0
            return sum + max(0, file.size - partial)
        }
        if let free = freeSpace(blobs), free < needed {
            throw HubError.diskFull(directory: blobs.path, needed: needed, available: free)
        }
    }

    /// `{endpoint}/{segments…}`, each segment percent-encoded on its own (a revision such as `refs/pr/1`
    /// is one segment, as huggingface_hub's `quote(revision, safe="")` makes it).
    private func endpointURL(_ segments: [String], query: String? = nil) throws -> URL {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let path = segments.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }.joined(separator: "/")
        guard let url = URL(string: settings.endpoint + "/" + path + (query.map { "?" + $0 } ?? "")),
              url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw HubError.badResponse(host: settings.endpoint, detail: "HF_ENDPOINT is not an http(s) address")
        }
        return url
    }

    /// Tells backup tools to skip the cache (huggingface_hub writes the same tag).
    static let cacheDirTag = "Signature: 8a477f597d28d172789f06886806bc55\n"
        + "# This file is a cache directory tag (the Hugging Face cache; written by loupe fetch).\n"
        + "# For information about cache directory tags, see:\n#\thttps://bford.info/cachedir/\n"
}

/// `ORG/NAME` (or a legacy one-part name), in the Hub's allowed characters.
func isRepositoryId(_ repo: String) -> Bool {
    let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
    let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")
    return (1...2).contains(parts.count) && parts.allSatisfy {
        !$0.isEmpty && $0 != "." && $0 != ".." && $0.unicodeScalars.allSatisfy(allowed.contains)
    }
}
