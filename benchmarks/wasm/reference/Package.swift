// swift-tools-version: 6.0
// The reference the Wasm benchmark measures sel4img's runner against: the full
// WasmKit 0.4.2 interpreter, built from the offline package copy as its own CLI
// (`swift build -c release --product wasmkit-cli` in this directory). Kept out
// of sel4img's own package so sel4img does not build or link WasmKit.
import PackageDescription

let package = Package(
    name: "wasmkit-reference",
    dependencies: [.package(url: "https://github.com/swiftwasm/WasmKit", exact: "0.4.2")],
    targets: []
)
