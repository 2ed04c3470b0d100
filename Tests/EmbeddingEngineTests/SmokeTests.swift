import XCTest

final class EmbeddingEngineSmokeTests: XCTestCase {
    func testPackageBuilds() { XCTAssertTrue(true) }
}
