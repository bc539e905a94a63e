import Foundation

/// Where an integration test works: `$SEL4IMG_TEST_KEEP/NAME` when that is
/// set (kept afterwards for inspection), else a fresh temporary directory
/// the test removes. The directory exists on return.
public func integrationRoot(_ name: String) throws -> (url: URL, keep: Bool) {
    let root: URL
    let keep: Bool
    if let dir = ProcessInfo.processInfo.environment["SEL4IMG_TEST_KEEP"] {
        (root, keep) = (URL(fileURLWithPath: dir).appendingPathComponent(name), true)
    } else {
        (root, keep) = (try TemporaryDirectory("sel4img-\(name)").url, false)
    }
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    return (root, keep)
}
