import XCTest

final class EndToEndSmokeTests: XCTestCase {
    func testPackageBuilds() { XCTAssertTrue(true) }
}
