import XCTest

final class AnalysisSmokeTests: XCTestCase {
    func testPackageBuilds() { XCTAssertTrue(true) }
}
