import Foundation
import Support

/// Swift modules the app's CMake project compiles as Embedded Swift
/// (`sources.swiftModules`): the toolchain's place and the module list go to
/// CMake; provenance records the toolchain's version, not its place.
struct SwiftModulesFeature: AppFeature {
    var modules: [String]

    var name: String { "swiftModules" }

    static let toolchainSetting = "SEL4IMG_SWIFT_TOOLCHAIN"
    static let modulesSetting = "SEL4IMG_SWIFT_MODULES"

    func cmakeSettings(_ build: BuildContext, given settings: [String: String]) throws -> [String: String] {
        [Self.toolchainSetting: try SwiftToolchain.locate().root.path, Self.modulesSetting: modules.joined(separator: ";")]
    }

    func recordProvenance(_ build: BuildContext, settings: inout [String: String], tools: inout [String: String]) {
        guard let root = settings[Self.toolchainSetting] else { return }
        // The toolchain's place is the machine's business; its version is recorded instead.
        tools["swiftc"] = SwiftToolchain(root: URL(fileURLWithPath: root)).version()
        settings[Self.toolchainSetting] = "${SWIFT_TOOLCHAIN}"
    }
}
