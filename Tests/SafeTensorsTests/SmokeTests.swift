import XCTest

final class SafeTensorsSmokeTests: XCTestCase {
    func testPackageBuilds() { XCTAssertTrue(true) }
}
