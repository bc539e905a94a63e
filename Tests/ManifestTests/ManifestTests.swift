import Testing
@testable import Manifest
