import Foundation
import JinaEmbeddings
@testable import ModelHub
import TestSupport
import XCTest

/// The environment as huggingface_hub reads it, file selection globs, and the Hub's metadata rules.
final class HubSettingsTests: XCTestCase {
    func testTokenAndEndpointComeFromTheEnvironmentInHuggingFaceHubsOrder() throws {
        let home = try Fixtures.temporaryDirectory("hub-settings")
        defer { try? FileManager.default.removeItem(at: home) }
        let hfHome = home.appendingPathComponent("hf")
        try FileManager.default.createDirectory(at: hfHome, withIntermediateDirectories: true)
        try " hf_from_file \n".write(to: hfHome.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let base = ["HOME": home.path, "HF_HOME": hfHome.path]

        var s = HubSettings.from(environment: base)
        XCTAssertEqual(s.endpoint, "https://huggingface.co")
        XCTAssertEqual(s.token?.value, "hf_from_file")
        XCTAssertEqual(s.token?.source, hfHome.appendingPathComponent("token").path)
        XCTAssertEqual(s.cache.root.path, hfHome.appendingPathComponent("hub").path)

        s = HubSettings.from(environment: base.merging(["HUGGING_FACE_HUB_TOKEN": "hf_legacy"]) { $1 })
        XCTAssertEqual(s.token?.value, "hf_legacy")
        s = HubSettings.from(environment: base.merging(["HUGGING_FACE_HUB_TOKEN": "hf_legacy", "HF_TOKEN": "hf_env\n",
                                                        "HF_ENDPOINT": "http://mirror.local:8080/"]) { $1 })
        XCTAssertEqual(s.token?.value, "hf_env")
        XCTAssertEqual(s.token?.source, "HF_TOKEN")
        XCTAssertEqual(s.endpoint, "http://mirror.local:8080")

        let elsewhere = home.appendingPathComponent("token-elsewhere")
        try "hf_path".write(to: elsewhere, atomically: true, encoding: .utf8)
        s = HubSettings.from(environment: base.merging(["HF_TOKEN_PATH": elsewhere.path]) { $1 })
        XCTAssertEqual(s.token?.value, "hf_path")
        XCTAssertNil(HubSettings.from(environment: ["HOME": home.path, "HF_TOKEN": "  "]).token)
    }

    func testATokenNeverPrintsItsValue() {
        let token = HubToken("hf_do_not_print", source: "HF_TOKEN")
        let settings = HubSettings(token: token, cache: HubCache(root: URL(fileURLWithPath: "/tmp")))
        var dumped = ""
        dump(settings, to: &dumped)
        for text in ["\(token)", String(reflecting: token), "\(settings)", String(reflecting: settings), dumped] {
            XCTAssertFalse(text.contains("hf_do_not_print"), text)
        }
    }

    func testSelectionGlobsMatchLikeFnmatch() {
        let loupe = FileSelection()
        for path in ["config.json", "model.safetensors", "tokenizer.json", "1_Pooling/config.json", "modules.json"] {
            XCTAssertTrue(loupe.matches(path), path)
        }
        for path in ["pytorch_model.bin", "onnx/model.onnx", "custom_st.py", "README.md", "sentencepiece.bpe.model",
                     "model-00001-of-00002.safetensors", "2_Dense/config.json.bak"] {
            XCTAssertFalse(loupe.matches(path), path)
        }
        let extra = FileSelection(include: ["onnx/", "*.md"])
        XCTAssertTrue(extra.matches("onnx/model.onnx"))
        XCTAssertTrue(extra.matches("docs/guide.md"), "* matches / as in Python's fnmatch")
        XCTAssertTrue(FileSelection(all: true).matches("anything/at/all"))
    }

    func testRepositoryIdsAndPaths() {
        for ok in ["jinaai/jina-embeddings-v3", "sentence-transformers/all-MiniLM-L6-v2", "gpt2", "a.b/c_d"] {
            XCTAssertTrue(isRepositoryId(ok), ok)
        }
        for bad in ["", "/x", "a/", "a/b/c", "../x", "a/..", "a b/c", "a/b?c"] { XCTAssertFalse(isRepositoryId(bad), bad) }
        for bad in ["../x", "/etc/passwd", "a//b", "a/./b", "a\\b", ""] { XCTAssertFalse(isSafeRelativePath(bad), bad) }
        XCTAssertTrue(isSafeRelativePath("1_Pooling/config.json"))
    }

    func testVerificationTakesTheListingsHashAndRefusesADisagreeingETag() {
        let sha = String(repeating: "ab", count: 32), sha1 = String(repeating: "cd", count: 20)
        let lfs = RepoFile(path: "m", size: 1, blobId: sha1, lfsSHA256: sha)
        XCTAssertEqual(Verification.choose(file: lfs, etag: sha), .sha256(sha))
        XCTAssertNil(Verification.choose(file: lfs, etag: String(repeating: "ef", count: 32)))
        let git = RepoFile(path: "c", size: 1, blobId: sha1)
        XCTAssertEqual(Verification.choose(file: git, etag: sha1), .gitBlob(sha1))
        XCTAssertEqual(Verification.choose(file: RepoFile(path: "c", size: 1), etag: sha1), .gitBlob(sha1))
        XCTAssertEqual(Verification.choose(file: RepoFile(path: "c", size: 1), etag: "v1-abc"), .sizeOnly)
        XCTAssertEqual(FileMetadata.normalize("W/\"abc\""), "abc")
        XCTAssertEqual(FileMetadata.normalize("\"abc\""), "abc")
    }

    func testListingDecodesTheModelInfoAnswer() throws {
        let json = """
            {"id": "o/n", "sha": "0123456789abcdef0123456789abcdef01234567", "siblings": [
              {"rfilename": "config.json", "size": 10, "blobId": "\(String(repeating: "a", count: 40))"},
              {"rfilename": "model.safetensors", "size": 2000, "blobId": "\(String(repeating: "b", count: 40))",
               "lfs": {"sha256": "\(String(repeating: "c", count: 64))", "size": 2000, "pointerSize": 134}}]}
            """
        let listing = try RepoListing.decode(Data(json.utf8), host: "h")
        XCTAssertEqual(listing.commit, "0123456789abcdef0123456789abcdef01234567")
        XCTAssertEqual(listing.files.map(\.path), ["config.json", "model.safetensors"])
        XCTAssertEqual(listing.files[1].lfsSHA256, String(repeating: "c", count: 64))
        XCTAssertEqual(listing.files[1].size, 2000)
        let unsafe = json.replacingOccurrences(of: "\"config.json\"", with: "\"../../x\"")
        XCTAssertThrowsError(try RepoListing.decode(Data(unsafe.utf8), host: "h"))
        XCTAssertThrowsError(try RepoListing.decode(Data("<html>".utf8), host: "h"))
    }
}
