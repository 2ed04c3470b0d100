import XCTest

final class ExplorerSmokeTests: XCTestCase {
    func testPackageBuilds() { XCTAssertTrue(true) }
}
