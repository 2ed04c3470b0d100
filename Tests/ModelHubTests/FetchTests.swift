import Foundation
import HubImitation
import JinaEmbeddings
import ModelHub
import TestSupport
import XCTest

/// `loupe fetch` against the loopback Hub imitation: the cache layout, resuming, hash checks, and
/// what an existing snapshot costs.
final class FetchTests: ImitationTestCase {
    func testDownloadLaysOutTheHubCacheAndModelLocatorFindsIt() async throws {
        let report = try await fetcher().fetch(repo: Self.repo)
        XCTAssertEqual(report.commit, Self.commit)
        XCTAssertEqual(report.snapshot.path, snapshot.path)
        XCTAssertEqual(report.downloaded.sorted(), Self.loupeFiles)
        XCTAssertFalse(report.wasComplete)
        XCTAssertEqual(report.bytesReceived, Self.loupeFiles.reduce(0) { $0 + Int64(hub.file($1)!.data.count) })
        XCTAssertEqual(report.downloaded.last, "model.safetensors", "the largest file comes last")

        // snapshots/<commit>/<path> → ../../blobs/<etag>, where the etag is sha256sum's for LFS files and
        // git hash-object's for the others.
        XCTAssertEqual(tree(snapshot), Self.loupeFiles)
        for path in Self.loupeFiles {
            let file = try XCTUnwrap(hub.file(path))
            let up = path.contains("/") ? "../../../" : "../../"
            XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: snapshot.appendingPathComponent(path).path),
                           up + "blobs/" + file.etag, path)
            XCTAssertEqual(try Data(contentsOf: snapshot.appendingPathComponent(path)), file.data, path)
        }
        XCTAssertEqual(hub.file("model.safetensors")?.etag.count, 64)
        XCTAssertEqual(hub.file("config.json")?.etag.count, 40)
        XCTAssertEqual(names(repository.appendingPathComponent("blobs")), Self.loupeFiles.map { hub.file($0)!.etag }.sorted(),
                       "one blob per file and no .incomplete left")
        XCTAssertEqual(try String(contentsOf: repository.appendingPathComponent("refs/main"), encoding: .utf8), Self.commit)
        XCTAssertEqual(names(repository), ["blobs", "refs", "snapshots"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: cache.root.appendingPathComponent("CACHEDIR.TAG").path))

        let resolved = try ModelLocator.resolve(explicit: nil, environment: environment)
        XCTAssertEqual(resolved.directory.path, snapshot.path)
        XCTAssertTrue(resolved.reason.contains("Hugging Face cache"), resolved.reason)
        XCTAssertNoThrow(try EmbeddingModel.load(directory: resolved.directory))

        // The Hub got one HEAD per file; LFS bytes came from the CDN, the others from /resolve.
        let log = hub.requests
        XCTAssertEqual(log.filter { $0.method == "HEAD" }.count, Self.loupeFiles.count)
        let lfsFiles = Self.loupeFiles.filter { Self.lfs.contains($0) }
        XCTAssertEqual(log.filter { $0.server == .cdn }.map(\.path).sorted(),
                       lfsFiles.map { "/cdn/" + hub.file($0)!.sha256 }.sorted())
        XCTAssertTrue(log.allSatisfy { $0.range == nil && $0.authorization == nil })
    }

    func testHFHubCacheMovesTheCacheAndModelLocatorFollows() async throws {
        let elsewhere = home.appendingPathComponent("elsewhere").path
        _ = try await fetcher(["HF_HUB_CACHE": elsewhere]).fetch(repo: Self.repo)
        let moved = HubCache(root: URL(fileURLWithPath: elsewhere)).snapshot(Self.repo, commit: Self.commit)
        XCTAssertEqual(tree(moved), Self.loupeFiles)
        XCTAssertEqual(tree(snapshot), [], "nothing under $HF_HOME/hub")
        var env = environment
        env["HF_HUB_CACHE"] = elsewhere
        XCTAssertEqual(try ModelLocator.resolve(explicit: nil, environment: env).directory.path, moved.path)
    }

    func testIncludeAndAllWidenTheSelection() async throws {
        let first = try await fetcher(selection: FileSelection(include: ["*.model"])).fetch(repo: Self.repo)
        XCTAssertEqual(first.downloaded.sorted(), (Self.loupeFiles + ["sentencepiece.bpe.model"]).sorted())
        hub.clearLog()
        let all = try await fetcher(selection: FileSelection(all: true)).fetch(repo: Self.repo)
        XCTAssertEqual(all.downloaded.sorted(), ["README.md", "golden_text.json"], "only what was missing")
        XCTAssertEqual(tree(snapshot), hub.files.map(\.path).sorted())
        XCTAssertEqual(fileRequests(hub.requests).map { "\($0.method) \($0.path)" }.sorted(),
                       ["GET", "HEAD"].flatMap { m in ["README.md", "golden_text.json"].map { "\(m) /\(Self.repo)/resolve/\(Self.commit)/\($0)" } }.sorted())
    }

    func testAnExistingSnapshotCostsNoDownloadAndAnotherRevisionReusesItsBlobs() async throws {
        _ = try await fetcher().fetch(repo: Self.repo)
        hub.clearLog()
        let again = try await fetcher().fetch(repo: Self.repo)
        XCTAssertTrue(again.wasComplete)
        XCTAssertEqual(again.bytesReceived, 0)
        XCTAssertEqual(hub.requests.map(\.path), ["/api/models/jinaai/jina-embeddings-v3/revision/main"],
                       "only the listing: no file request")

        // A tag on another commit with the same files: linked from the blobs already there.
        let other = "9f1e0d2c3b4a59687766554433221100ffeeddcc"
        hub.addRevision("v1", commit: other)
        hub.clearLog()
        let tagged = try await fetcher().fetch(repo: Self.repo, revision: "v1")
        XCTAssertEqual(tagged.linked.sorted(), Self.loupeFiles)
        XCTAssertEqual(tagged.downloaded, [])
        XCTAssertEqual(fileRequests(hub.requests).count, 0)
        XCTAssertEqual(tree(cache.snapshot(Self.repo, commit: other)), Self.loupeFiles)
        XCTAssertEqual(try String(contentsOf: repository.appendingPathComponent("refs/v1"), encoding: .utf8), other)
        XCTAssertEqual(try String(contentsOf: repository.appendingPathComponent("refs/main"), encoding: .utf8), Self.commit)
    }

    /// The connection drops in the middle of model.safetensors and this run gives up (one attempt):
    /// the bytes so far stay in blobs/<sha256>.incomplete and nothing links to them. The next run asks
    /// for the rest with a Range request and ends with the right file.
    func testAnInterruptedDownloadResumesWithARangeRequestInTheNextRun() async throws {
        let model = try XCTUnwrap(hub.file("model.safetensors"))
        hub.dropConnection("model.safetensors", afterBytes: 600_000)
        guard let error = await fetchError(fetcher(attempts: 1)) else { return }
        guard case .network(let host, _, let attempts) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(host, "127.0.0.1:\(hub.cdnPort)")
        XCTAssertEqual(attempts, 1)

        let blobs = repository.appendingPathComponent("blobs")
        let partial = blobs.appendingPathComponent(model.sha256 + ".incomplete")
        let kept = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? Int)
        XCTAssertGreaterThan(kept, 0)
        XCTAssertLessThanOrEqual(kept, 600_000)
        XCTAssertEqual(try Data(contentsOf: partial), model.data.prefix(kept), "the kept bytes are the file's first bytes")
        XCTAssertFalse(FileManager.default.fileExists(atPath: blobs.appendingPathComponent(model.sha256).path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: snapshot.appendingPathComponent("model.safetensors").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: repository.appendingPathComponent("refs/main").path))
        XCTAssertNotEqual(try? ModelLocator.resolve(explicit: nil, environment: environment).directory.path, snapshot.path)

        hub.clearLog()
        let report = try await fetcher().fetch(repo: Self.repo)
        XCTAssertEqual(report.downloaded, ["model.safetensors"])
        XCTAssertEqual(report.bytesResumed, Int64(kept))
        XCTAssertEqual(report.bytesReceived, Int64(model.data.count - kept))
        let gets = hub.requests.filter { $0.server == .cdn }
        XCTAssertEqual(gets.map(\.range), ["bytes=\(kept)-"])
        XCTAssertEqual(try Data(contentsOf: snapshot.appendingPathComponent("model.safetensors")), model.data)
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path))
    }

    func testADroppedConnectionIsResumedWithinTheSameRun() async throws {
        let model = try XCTUnwrap(hub.file("model.safetensors"))
        hub.dropConnection("model.safetensors", afterBytes: 300_000, times: 2)
        let report = try await fetcher(attempts: 2).fetch(repo: Self.repo)
        XCTAssertEqual(try Data(contentsOf: snapshot.appendingPathComponent("model.safetensors")), model.data)
        let ranges = hub.requests.filter { $0.server == .cdn && $0.path.hasSuffix(model.sha256) }.map(\.range)
        // Each attempt that received bytes resets the count, so two drops with two attempts still finish.
        XCTAssertEqual(ranges.count, 3)
        XCTAssertNil(ranges[0])
        XCTAssertTrue(ranges.dropFirst().allSatisfy { $0?.hasPrefix("bytes=") == true && $0 != "bytes=0-" }, "\(ranges)")
        XCTAssertEqual(report.bytesReceived, Self.loupeFiles.reduce(0) { $0 + Int64(hub.file($1)!.data.count) })
    }

    /// One flipped byte: the sha256 check fails, the download is deleted, no blob and no link exist.
    func testACorruptedByteIsRejectedAndNothingIsLinked() async throws {
        let model = try XCTUnwrap(hub.file("model.safetensors"))
        hub.corrupt("model.safetensors", atOffset: 123_457)
        guard let error = await fetchError(fetcher()) else { return }
        guard case .hashMismatch(let path, let algorithm, let expected, let actual) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(path, "model.safetensors")
        XCTAssertEqual(algorithm, "sha256")
        XCTAssertEqual(expected, model.sha256)
        XCTAssertNotEqual(actual, model.sha256)
        XCTAssertTrue(error.description.contains("discarded"), error.description)
        let blobs = names(repository.appendingPathComponent("blobs"))
        XCTAssertFalse(blobs.contains { $0.hasPrefix(model.sha256) }, "\(blobs)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: snapshot.appendingPathComponent("model.safetensors").path))
        XCTAssertNotEqual(try? ModelLocator.resolve(explicit: nil, environment: environment).directory.path, snapshot.path)

        // A small file in git is checked by its git blob id the same way.
        hub.clearFaults()
        hub.corrupt("config.json", atOffset: 10)
        try FileManager.default.removeItem(at: repository)
        guard let gitError = await fetchError(fetcher()) else { return }
        guard case .hashMismatch("config.json", "git blob sha1", hub.file("config.json")!.gitBlobId, _) = gitError else {
            return XCTFail("\(gitError)")
        }
    }
}
