import XCTest

final class NumericsSmokeTests: XCTestCase {
    func testPackageBuilds() { XCTAssertTrue(true) }
}
