import Foundation
import HubImitation
import ModelHub
import TestSupport
import XCTest

/// Unknown repositories and revisions, unreachable hosts, a full disk, and a repository loupe cannot run.
final class FetchErrorTests: ImitationTestCase {
    func testUnknownRepositoryAndRevision() async throws {
        // Without a token the Hub answers 401 for a repository it does not show: missing, private or gated.
        guard let anonymous = await fetchError(fetcher(), repo: "nobody/nothing") else { return }
        XCTAssertEqual(anonymous, .unauthorized(repo: "nobody/nothing", status: 401, gated: false, token: nil, endpoint: hub.endpoint))
        XCTAssertTrue(anonymous.description.contains("HF_TOKEN"), anonymous.description)
        // With a token, a missing repository is a 404.
        guard let missing = await fetchError(fetcher(["HF_TOKEN": "hf_anything"]), repo: "nobody/nothing") else { return }
        XCTAssertEqual(missing, .repositoryNotFound(repo: "nobody/nothing", endpoint: hub.endpoint))
        guard let revision = await fetchError(fetcher(), revision: "no-such-branch") else { return }
        XCTAssertEqual(revision, .revisionNotFound(repo: Self.repo, revision: "no-such-branch"))
        XCTAssertTrue(revision.description.contains("--revision"))
        XCTAssertEqual(fileRequests(hub.requests).count, 0)
        XCTAssertEqual(names(cache.root), [], "nothing written")

        guard let invalid = await fetchError(fetcher(), repo: "../etc/passwd") else { return }
        XCTAssertEqual(invalid, .invalidRepository("../etc/passwd"))
    }

    func testAnUnreachableHostIsNamedAfterTheRetries() async throws {
        let port = hub.hubPort
        await hub.stop()
        guard let error = await fetchError(fetcher(attempts: 3)) else { return }
        guard case .network(let host, _, let attempts) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(host, "127.0.0.1:\(port)")
        XCTAssertEqual(attempts, 3)
        XCTAssertTrue(error.description.contains("127.0.0.1:\(port)"), error.description)
    }

    func testNotEnoughDiskSpaceStopsBeforeDownloading() async throws {
        var fetcher = fetcher()
        fetcher.freeSpace = { _ in 1_000_000 }
        guard let error = await fetchError(fetcher) else { return }
        guard case .diskFull(_, let needed, let available) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(needed, Self.loupeFiles.reduce(0) { $0 + Int64(hub.file($1)!.data.count) })
        XCTAssertEqual(available, 1_000_000)
        XCTAssertTrue(error.description.contains("HF_HUB_CACHE"), error.description)
        XCTAssertEqual(fileRequests(hub.requests).count, 0)
    }

    func testARepositoryWithoutSafetensorsWeightsIsNotAModelUnlessAllIsAsked() async throws {
        let folder = home.appendingPathComponent("bin-only")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: folder.appendingPathComponent("config.json"))
        try Data([1, 2, 3]).write(to: folder.appendingPathComponent("pytorch_model.bin"))
        let other = try HubImitation(repo: "someone/bin-only", directory: folder, lfs: ["pytorch_model.bin"], commit: Self.commit)
        try await other.start()
        let env = ["HF_ENDPOINT": other.endpoint]
        let error = await fetchError(fetcher(env), repo: "someone/bin-only")
        XCTAssertEqual(error, .notAModel(repo: "someone/bin-only", missing: ["model.safetensors", "tokenizer.json"]))
        let all = try await fetcher(env, selection: FileSelection(all: true)).fetch(repo: "someone/bin-only")
        await other.stop()
        XCTAssertEqual(all.downloaded.sorted(), ["config.json", "pytorch_model.bin"])
    }
}

/// A private repository: every request needs the token. It goes to the Hub, never to the CDN.
final class PrivateRepositoryTests: ImitationTestCase {
    static let token = "hf_imitation_secret_4711"
    override var access: HubImitation.Access { .privateRepo(token: Self.token) }

    func testTheTokenIsNeededSentToTheHubOnlyAndNeverPrinted() async throws {
        guard let none = await fetchError(fetcher()) else { return }
        XCTAssertEqual(none, .unauthorized(repo: Self.repo, status: 401, gated: false, token: nil, endpoint: hub.endpoint))
        XCTAssertTrue(none.description.contains("set HF_TOKEN"), none.description)

        guard let wrong = await fetchError(fetcher(["HF_TOKEN": "hf_wrong_token_123"])) else { return }
        XCTAssertEqual(wrong, .unauthorized(repo: Self.repo, status: 401, gated: false, token: "HF_TOKEN", endpoint: hub.endpoint))
        XCTAssertTrue(wrong.description.contains("refused the token from HF_TOKEN"), wrong.description)
        XCTAssertFalse("\(wrong) \(String(reflecting: wrong))".contains("hf_wrong_token_123"))

        hub.clearLog()
        let report = try await fetcher(["HF_TOKEN": Self.token]).fetch(repo: Self.repo)
        XCTAssertEqual(report.downloaded.sorted(), Self.loupeFiles)
        let log = hub.requests
        XCTAssertTrue(log.filter { $0.server == .hub }.allSatisfy { $0.authorization == "Bearer \(Self.token)" })
        XCTAssertFalse(log.filter { $0.server == .cdn }.isEmpty)
        XCTAssertTrue(log.filter { $0.server == .cdn }.allSatisfy { $0.authorization == nil }, "no token across origins")
    }

    func testTheTokenFileOfHfAuthLoginIsUsed() async throws {
        let hfHome = URL(fileURLWithPath: environment["HF_HOME"]!)
        try FileManager.default.createDirectory(at: hfHome, withIntermediateDirectories: true)
        try (Self.token + "\n").write(to: hfHome.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let report = try await fetcher().fetch(repo: Self.repo)
        XCTAssertEqual(report.downloaded.count, Self.loupeFiles.count)
    }
}

/// A gated repository: its file list is public, its files need a token of an account that accepted the terms.
final class GatedRepositoryTests: ImitationTestCase {
    override var access: HubImitation.Access { .gated(token: "hf_accepted") }

    func testGatedFilesSayToAcceptTheTerms() async throws {
        guard let none = await fetchError(fetcher()) else { return }
        XCTAssertEqual(none, .unauthorized(repo: Self.repo, status: 401, gated: true, token: nil, endpoint: hub.endpoint))
        XCTAssertTrue(none.description.contains("accept its terms at \(hub.endpoint)/\(Self.repo)"), none.description)
        guard let denied = await fetchError(fetcher(["HF_TOKEN": "hf_not_accepted"])) else { return }
        XCTAssertEqual(denied, .unauthorized(repo: Self.repo, status: 403, gated: true, token: "HF_TOKEN", endpoint: hub.endpoint))
        XCTAssertEqual(names(repository.appendingPathComponent("snapshots/\(Self.commit)")), [])
        let report = try await fetcher(["HF_TOKEN": "hf_accepted"]).fetch(repo: Self.repo)
        XCTAssertEqual(report.downloaded.sorted(), Self.loupeFiles)
    }
}
