import Foundation

/// One file of a repository at a commit, as `/api/models/{repo}/revision/{rev}?blobs=true` lists it.
public struct RepoFile: Sendable, Equatable {
    public var path: String
    /// The file's real size (the LFS object's size for LFS files, not the pointer's).
    public var size: Int64
    /// The git blob id (sha1 of "blob <size>\0" + content) of what git stores: for LFS files, the pointer.
    public var blobId: String?
    /// The sha256 of the content of an LFS file; also its ETag, hence its blob name in the cache.
    public var lfsSHA256: String?

    public init(path: String, size: Int64, blobId: String? = nil, lfsSHA256: String? = nil) {
        self.path = path; self.size = size; self.blobId = blobId; self.lfsSHA256 = lfsSHA256
    }

    /// The name huggingface_hub gives its blob (the ETag the Hub sends for it), when the listing tells.
    var cacheBlobName: String? { lfsSHA256 ?? blobId }
}

/// The commit a revision resolves to and the files in it.
public struct RepoListing: Sendable {
    public var commit: String
    public var files: [RepoFile]

    public init(commit: String, files: [RepoFile]) { self.commit = commit; self.files = files }

    private struct Wire: Decodable {
        struct Sibling: Decodable {
            struct LFS: Decodable { var sha256: String?; var oid: String?; var size: Int64? }
            var rfilename: String
            var size: Int64?
            var blobId: String?
            var lfs: LFS?
        }
        var sha: String?
        var siblings: [Sibling]?
    }

    /// Parses the model-info answer; `host` names the server in errors.
    public static func decode(_ data: Data, host: String) throws -> RepoListing {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: data) else {
            throw HubError.badResponse(host: host, detail: "the model info is not the expected JSON")
        }
        guard let sha = wire.sha, isCommitHash(sha), let siblings = wire.siblings else {
            throw HubError.badResponse(host: host, detail: "the model info has no commit (sha) or file list (siblings)")
        }
        var files: [RepoFile] = []
        for s in siblings {
            guard isSafeRelativePath(s.rfilename) else {
                throw HubError.badResponse(host: host, detail: "unsafe file name '\(s.rfilename)' in the file list")
            }
            let lfsHash = (s.lfs?.sha256 ?? s.lfs?.oid)?.lowercased()
            guard let size = s.lfs?.size ?? s.size else {
                throw HubError.badResponse(host: host, detail: "no size for \(s.rfilename) (the listing was asked with blobs=true)")
            }
            files.append(RepoFile(path: s.rfilename, size: size, blobId: s.blobId?.lowercased(), lfsSHA256: lfsHash))
        }
        return RepoListing(commit: sha, files: files)
    }
}

/// 40 lowercase hex digits: a full git commit id, which (unlike a branch) never moves.
func isCommitHash(_ s: String) -> Bool { s.count == 40 && s.allSatisfy { $0.isHexDigit && !$0.isUppercase } }

/// A repository path that stays inside the snapshot folder: relative, no `.`/`..` or empty components.
func isSafeRelativePath(_ path: String) -> Bool {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    return !path.isEmpty && !path.hasPrefix("/") && !path.contains("\\") && !path.contains("\0")
        && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
}


/// Which files of a repository to download. By default: what loupe reads to run a model, plus the
/// sentence-transformers side files that set pooling and maximum length. Skipped by default: other
/// weight formats (pytorch_model.bin, ONNX, sharded checkpoints), the SentencePiece model (tokenizer.json
/// has the same vocabulary), READMEs and images, and the custom Python code jina ships for
/// `trust_remote_code` (loupe implements the model itself).
public struct FileSelection: Sendable, Equatable {
    /// Every file in the repository.
    public var all: Bool
    /// Extra glob patterns (`*` also matches `/`, as in huggingface_hub's allow_patterns).
    public var include: [String]

    public init(all: Bool = false, include: [String] = []) { self.all = all; self.include = include }

    /// What loupe needs; `model.safetensors`, `config.json` and `tokenizer.json` are required.
    public static let loupePatterns = [
        "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
        "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json", "*_Pooling/config.json",
    ]
    public static let required = ["config.json", "model.safetensors", "tokenizer.json"]

    public var isDefault: Bool { !all && include.isEmpty }

    public func matches(_ path: String) -> Bool {
        all || (Self.loupePatterns + include).contains { globMatches($0, path) }
    }

    /// The selected files; with the default selection, a repository without loupe's required files is an error.
    public func apply(to listing: RepoListing, repo: String) throws -> [RepoFile] {
        let chosen = listing.files.filter { matches($0.path) }
        if !all {
            let missing = Self.required.filter { name in !listing.files.contains { $0.path == name } }
            if !missing.isEmpty { throw HubError.notAModel(repo: repo, missing: missing) }
        }
        return chosen
    }
}

/// fnmatch(3) without FNM_PATHNAME: `*` and `?` match any character including `/` (Python's fnmatch,
/// which huggingface_hub uses); a pattern ending in `/` means everything under that folder.
func globMatches(_ pattern: String, _ path: String) -> Bool {
    let p = pattern.hasSuffix("/") ? pattern + "*" : pattern
    return fnmatch(p, path, 0) == 0
}
