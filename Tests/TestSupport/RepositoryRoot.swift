import Foundation

/// The sel4img checkout the tests run from (`Tests/TestSupport/RepositoryRoot.swift` → up 3 levels),
/// for its data files (boards/, apps/) and scripts (scripts/wasmtime-run.py, …).
public let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
