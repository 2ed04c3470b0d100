import XCTest

final class CKernelsSmokeTests: XCTestCase {
    func testPackageBuilds() { XCTAssertTrue(true) }
}
