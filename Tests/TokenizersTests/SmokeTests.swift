import XCTest

final class TokenizersSmokeTests: XCTestCase {
    func testPackageBuilds() { XCTAssertTrue(true) }
}
