import Hashing
import XCTest

final class SHA256Tests: XCTestCase {
    func testKnownAnswers() {
        // FIPS 180-4 examples.
        XCTAssertEqual(SHA256.hex(SHA256.hash(Array("".utf8))),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(SHA256.hash(Array("abc".utf8))),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Several blocks (768 bytes), value from Python's hashlib.
        let bytes = (0..<3).flatMap { _ in (0..<256).map { UInt8($0) } }
        XCTAssertEqual(SHA256.hex(SHA256.hash(bytes)), "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363")
    }

    func testIncrementalUpdatesEqualOneShot() {
        let text = Array("The quick brown fox jumps over the lazy dog, several blocks long ".utf8) + (0..<200).map { UInt8($0) }
        for split in [0, 1, 55, 56, 63, 64, 65, 128, text.count] {
            var h = SHA256()
            h.update(text[..<split]); h.update(text[split...])
            XCTAssertEqual(h.finalize(), SHA256.hash(text), "split at \(split)")
        }
    }
}
