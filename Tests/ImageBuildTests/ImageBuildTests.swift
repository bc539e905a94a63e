import Testing
@testable import ImageBuild
