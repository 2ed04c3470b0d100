import Foundation
import HubImitation
import JinaEmbeddings
import ModelHub
import TestSupport
import XCTest

/// A fresh HF home and a running Hub imitation serving the jina-e2e fixture (a tiny checkpoint in the
/// published jina-embeddings-v3 layout) as jinaai/jina-embeddings-v3.
class ImitationTestCase: XCTestCase {
    static let repo = "jinaai/jina-embeddings-v3"
    static let commit = "4bd2c2b1d4e0cbe5a0b1f6f7a2ff8d3e9c4b5a61"
    static let lfs: Set<String> = ["model.safetensors", "tokenizer.json", "sentencepiece.bpe.model"]
    /// What the default selection must download from that fixture (not README.md, golden_text.json,
    /// sentencepiece.bpe.model).
    static let loupeFiles = ["1_Pooling/config.json", "config.json", "config_sentence_transformers.json", "model.safetensors",
                             "modules.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"]

    var hub: HubImitation!
    var home: URL!

    /// Override to serve the repository differently.
    var access: HubImitation.Access { .open }

    override func setUp() async throws {
        home = try Fixtures.temporaryDirectory("loupe-fetch")
        hub = try HubImitation(repo: Self.repo, directory: try Fixtures.url("jina-e2e"), lfs: Self.lfs,
                               commit: Self.commit, access: access)
        try await hub.start()
    }

    override func tearDown() async throws {
        await hub?.stop()
        if let home { try? FileManager.default.removeItem(at: home) }
    }

    var environment: [String: String] {
        ["HOME": home.path, "HF_HOME": home.appendingPathComponent("hf").path, "HF_ENDPOINT": hub.endpoint,
         "LOUPE_HOME": home.appendingPathComponent("loupe").path]
    }

    var cache: HubCache { HubCache(environment: environment) }
    var repository: URL { cache.repository(Self.repo) }
    var snapshot: URL { cache.snapshot(Self.repo, commit: Self.commit) }

    /// Quick retries so fault tests take milliseconds.
    func fetcher(_ extra: [String: String] = [:], attempts: Int = 3, selection: FileSelection = FileSelection()) -> ModelFetcher {
        let env = environment.merging(extra) { $1 }
        return ModelFetcher(settings: HubSettings.from(environment: env), selection: selection,
                            policy: RetryPolicy(attempts: attempts, firstDelay: .milliseconds(5), maxDelay: .milliseconds(20)))
    }

    /// The HubError a fetch throws (fails the test when it succeeds or throws something else).
    func fetchError(_ fetcher: ModelFetcher, repo: String = ImitationTestCase.repo, revision: String = "main",
                    file: StaticString = #filePath, line: UInt = #line) async -> HubError? {
        do {
            _ = try await fetcher.fetch(repo: repo, revision: revision)
            XCTFail("the fetch succeeded", file: file, line: line)
        } catch let error as HubError {
            return error
        } catch {
            XCTFail("not a HubError: \(error)", file: file, line: line)
        }
        return nil
    }

    /// Names in a folder (empty when it does not exist).
    func names(_ url: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }

    /// Files (not folders) under a folder, as relative paths.
    func tree(_ url: URL) -> [String] {
        let all = (try? FileManager.default.subpathsOfDirectory(atPath: url.path)) ?? []
        return all.filter { path in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.appendingPathComponent(path).path, isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
    }

    func fileRequests(_ log: [HubImitation.LoggedRequest]) -> [HubImitation.LoggedRequest] {
        log.filter { $0.server == .cdn || $0.path.contains("/resolve/") }
    }
}
