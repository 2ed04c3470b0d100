import Hashing

/// What a downloaded file is checked against before it gets its blob name.
enum Verification: Equatable {
    /// LFS files: the sha256 of the content (the Hub's LFS oid, also their ETag).
    case sha256(String)
    /// Files in git: the git blob id, sha1 of "blob <size>\0" + content (also their ETag).
    case gitBlob(String)
    /// The server reported neither (a mirror that is not the Hub): the size alone is checked.
    case sizeOnly

    var label: String {
        switch self {
        case .sha256: return "sha256"
        case .gitBlob: return "git blob sha1"
        case .sizeOnly: return "size"
        }
    }

    var expected: String? {
        switch self {
        case .sha256(let h), .gitBlob(let h): return h
        case .sizeOnly: return nil
        }
    }

    /// From the listing when it has the hashes (huggingface_hub's own ETag rule: sha256 for LFS files,
    /// git sha1 otherwise), else from the shape of the ETag. A listing and an ETag that disagree mean the
    /// server is inconsistent, and nothing is downloaded.
    static func choose(file: RepoFile, etag: String) -> Verification? {
        let fromListing: Verification? = file.lfsSHA256.map { .sha256($0) } ?? file.blobId.map { .gitBlob($0) }
        let fromETag: Verification? = isHex(etag, count: 64) ? .sha256(etag) : isHex(etag, count: 40) ? .gitBlob(etag) : nil
        switch (fromListing, fromETag) {
        case let (l?, e?): return l == e ? l : nil
        case let (l?, nil): return l
        case let (nil, e?): return e
        case (nil, nil): return .sizeOnly
        }
    }

    func hasher(size: Int64) -> StreamHasher {
        switch self {
        case .sha256: return .sha256(SHA256())
        case .gitBlob: return .sha1(SHA1.gitBlob(size: size))
        case .sizeOnly: return .none
        }
    }
}

/// The running hash of a file being downloaded.
enum StreamHasher {
    case sha256(SHA256), sha1(SHA1), none

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .sha256(var h): h.update(bytes); self = .sha256(h)
        case .sha1(var h): h.update(bytes); self = .sha1(h)
        case .none: break
        }
    }

    mutating func finalize() -> String? {
        switch self {
        case .sha256(var h): return hexString(h.finalize())
        case .sha1(var h): return hexString(h.finalize())
        case .none: return nil
        }
    }
}

func isHex(_ s: String, count: Int) -> Bool {
    s.count == count && s.allSatisfy { $0.isHexDigit && !$0.isUppercase }
}
