import XCTest

final class JinaEmbeddingsSmokeTests: XCTestCase {
    func testPackageBuilds() { XCTAssertTrue(true) }
}
