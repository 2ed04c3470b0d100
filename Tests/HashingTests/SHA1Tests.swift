import Hashing
import XCTest

/// SHA-1 and git blob ids (what the Hugging Face Hub names files in git by), and both hashes fed in
/// pieces as a download arrives. Known answers from FIPS 180-4's examples and, for the longer inputs,
/// Python's hashlib and `git hash-object` (computed once, outside this code).
final class SHA1Tests: XCTestCase {
    /// 100,000 bytes (i*7+3) mod 256: many blocks plus a partial one.
    private let long = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }

    func testSHA1KnownAnswers() {
        XCTAssertEqual(hexString(SHA1.hash([])), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(hexString(SHA1.hash(Array("abc".utf8))), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(hexString(SHA1.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
                       "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(hexString(SHA1.hash([UInt8](repeating: 0x61, count: 1_000_000))),
                       "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
        XCTAssertEqual(hexString(SHA1.hash(long)), "386d00146341aa3dc6778b701e7eb165911587f5")
    }

    func testGitBlobIds() {
        var hello = SHA1.gitBlob(size: 6)
        hello.update(Array("hello\n".utf8))
        XCTAssertEqual(hexString(hello.finalize()), "ce013625030ba8dba906f756967f9e9ca394464a")
        var blob = SHA1.gitBlob(size: Int64(long.count))
        blob.update(long)
        XCTAssertEqual(hexString(blob.finalize()), "7bb34c11f0464cf234d871cc9b27e7a3a689afec")
    }

    /// A download arrives in pieces of any size: feeding them one by one (odd sizes straddling block
    /// boundaries, empty pieces, a non-contiguous collection) gives the one-shot digest.
    func testStreamingInPiecesEqualsOneShot() {
        var sha256 = SHA256(), sha1 = SHA1()
        var offset = 0, step = 0
        let sizes = [0, 1, 63, 64, 65, 127, 1000, 3, 4096, 55, 56, 57]
        while offset < long.count {
            let n = min(sizes[step % sizes.count], long.count - offset)
            let piece = long[offset..<offset + n]
            if step % 3 == 0 {
                sha256.update(piece.lazy.map { $0 })  // no contiguous storage: the copying path
            } else {
                piece.withUnsafeBytes { sha256.update($0) }
            }
            sha1.update(piece)
            offset += n; step += 1
        }
        XCTAssertEqual(SHA256.hex(sha256.finalize()), "d96bab6a55ee326ba206dd4a85a6e95e14360d7fabbf448f03e689c24382b7d0")
        XCTAssertEqual(hexString(sha1.finalize()), "386d00146341aa3dc6778b701e7eb165911587f5")
    }
}
