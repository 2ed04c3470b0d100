import Hashing

/// The cache key of one embedding item: SHA-256 over every input that changes the vector.
///
/// Fields are length-prefixed so that no two different inputs serialize to the same bytes
/// ("ab" + "c" vs "a" + "bc"). `prefixApplied` is whether an instruction was actually prepended (a task
/// with an empty instruction gives the same vector with or without --no-prefix, so it shares entries).
/// `maxLength` is part of the key because truncation changes the vector of long texts.
public struct CacheKey: Hashable, Sendable {
    public let digest: [UInt8]
    public init(digest: [UInt8]) { self.digest = digest }

    public static func make(fingerprint: String, task: String?, prefixApplied: Bool, maxLength: Int,
                            text: String, chunks: [Range<Int>]?) -> CacheKey {
        var sha = SHA256()
        func field(_ s: String) {
            let count = UInt64(s.utf8.count)
            sha.update((0..<8).map { UInt8(truncatingIfNeeded: count >> (8 * UInt64($0))) })
            sha.update(s.utf8)
        }
        field("loupe-embedding-v1")
        field(fingerprint)
        field(task.map { "task:" + $0 } ?? "none")
        field(prefixApplied ? "prefix" : "no-prefix")
        field(String(maxLength))
        field(text)
        field(chunks.map { spans in spans.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",") } ?? "whole")
        return CacheKey(digest: sha.finalize())
    }

    public var hex: String { SHA256.hex(digest) }
}
