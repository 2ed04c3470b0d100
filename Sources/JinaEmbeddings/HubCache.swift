import Foundation

/// The Hugging Face cache as huggingface_hub lays it out (`file_download.py`), so every HF tool shares
/// it. ModelLocator reads it; ModelHub (`loupe fetch`) writes it:
///
///     <root>/models--ORG--NAME/blobs/<etag>                 file contents: sha256 for LFS files, git blob sha1 else
///     <root>/models--ORG--NAME/snapshots/<commit>/<path>    relative symlinks to ../../blobs/<etag>
///     <root>/models--ORG--NAME/refs/<revision>              the commit a branch or tag pointed to (no newline)
public struct HubCache: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// `$HF_HUB_CACHE`, else the legacy `$HUGGINGFACE_HUB_CACHE`, else `<HF home>/hub` (huggingface_hub's constants.py).
    public init(environment: [String: String]) {
        if let dir = Self.nonEmpty(environment["HF_HUB_CACHE"]) ?? Self.nonEmpty(environment["HUGGINGFACE_HUB_CACHE"]) {
            root = Self.expand(dir)
        } else {
            root = Self.home(environment: environment).appendingPathComponent("hub")
        }
    }

    /// `$HF_HOME`, else `${XDG_CACHE_HOME:-~/.cache}/huggingface`; it also holds the login token file.
    public static func home(environment: [String: String]) -> URL {
        if let home = nonEmpty(environment["HF_HOME"]) { return expand(home) }
        let cache = nonEmpty(environment["XDG_CACHE_HOME"]).map(expand)
            ?? userHome(environment).appendingPathComponent(".cache")
        return cache.appendingPathComponent("huggingface")
    }

    /// `models--ORG--NAME` for the repository id `ORG/NAME`.
    public func repository(_ repo: String) -> URL {
        root.appendingPathComponent((["models"] + repo.split(separator: "/").map(String.init)).joined(separator: "--"))
    }

    public func snapshots(_ repo: String) -> URL { repository(repo).appendingPathComponent("snapshots") }

    public func snapshot(_ repo: String, commit: String) -> URL { snapshots(repo).appendingPathComponent(commit) }

    public func blobs(_ repo: String) -> URL { repository(repo).appendingPathComponent("blobs") }

    public func ref(_ repo: String, revision: String) -> URL {
        repository(repo).appendingPathComponent("refs").appendingPathComponent(revision)
    }

    /// The commit recorded for a branch or tag, if any.
    public func readRef(_ repo: String, revision: String) -> String? {
        (try? String(contentsOf: ref(repo, revision: revision), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func userHome(_ environment: [String: String]) -> URL {
        nonEmpty(environment["HOME"]).map(expand) ?? FileManager.default.homeDirectoryForCurrentUser
    }

    static func expand(_ path: String) -> URL { URL(fileURLWithPath: (path as NSString).expandingTildeInPath) }

    private static func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
}
