// The one import a workflow author needs.
@_exported import TroupeCore
@_exported import TroupeModels
@_exported import TroupeKernel
@_exported import TroupeStore
@_exported import TroupeTools
