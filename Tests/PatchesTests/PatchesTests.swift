import Testing
@testable import Patches
