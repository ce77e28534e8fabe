#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Mapping a file and parsing its header, metadata and tensor table, checking every field.
extension GGUFFile {
    static func map(path: String) throws(GGUFError) -> (UnsafeMutableRawPointer, Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .cannotOpen(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        // The smallest valid file holds magic, version and two counts.
        guard size >= 24 else {
            throw .truncated(path: path, needed: 24, size: size, reading: "the header")
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0),
              mapped != MAP_FAILED else {
            throw .cannotOpen(path: path, reason: "mmap failed: " + String(cString: strerror(errno)))
        }
        return (mapped, size)
    }

    struct Parsed {
        var version: UInt32
        var metadata: [String: GGUFValue]
        var metadataKeys: [String]
        var tensors: [String: GGUFTensorInfo]
        var tensorNames: [String]
        var alignment: Int
        var dataOffset: Int
    }

    static func parse(base: UnsafeRawPointer, size: Int, path: String) throws(GGUFError) -> Parsed {
        var cursor = GGUFCursor(base: base, size: size, path: path)
        let magic = [base.load(fromByteOffset: 0, as: UInt8.self), base.load(fromByteOffset: 1, as: UInt8.self),
                     base.load(fromByteOffset: 2, as: UInt8.self), base.load(fromByteOffset: 3, as: UInt8.self)]
        guard magic == Array("GGUF".utf8) else { throw .badMagic(path: path, found: magic) }
        _ = try cursor.read(UInt32.self, "the magic")
        let version = try cursor.read(UInt32.self, "the version")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(path: path, version: version) }

        let tensorCount = try cursor.readCount("the tensor count")
        let metadataCount = try cursor.readCount("the metadata count")
        // Each entry takes at least a key length, a type tag and one byte.
        try requireRoom(&cursor, count: metadataCount, each: 13, "\(metadataCount) metadata entries")

        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        metadata.reserveCapacity(metadataCount)
        keys.reserveCapacity(metadataCount)
        for index in 0..<metadataCount {
            let key = try cursor.readString("the key of metadata entry \(index)")
            let value = try readValue(&cursor, key: key, depth: 0)
            guard metadata.updateValue(value, forKey: key) == nil else {
                throw .badMetadata(path: path, key: key, problem: "the key appears twice")
            }
            keys.append(key)
        }

        let alignment = try readAlignment(metadata, path: path)
        if let arch = metadata["general.architecture"], arch.stringValue == nil {
            throw .badMetadata(path: path, key: "general.architecture",
                               problem: "expected a string, found \(arch.type)")
        }

        // Each description takes at least a name length, a rank, one dim, a type and an offset.
        try requireRoom(&cursor, count: tensorCount, each: 32, "\(tensorCount) tensor descriptions")
        var infos: [GGUFTensorInfo] = []
        infos.reserveCapacity(tensorCount)
        for index in 0..<tensorCount {
            infos.append(try readTensorInfo(&cursor, index: index))
        }

        let (dataOffset, overflow) = cursor.position.roundedUp(to: alignment)
        guard !overflow, dataOffset <= size else {
            throw .truncated(path: path, needed: dataOffset, size: size, reading: "the start of the tensor data")
        }
        let tensors = try checkPlacement(infos, dataOffset: dataOffset, alignment: alignment, size: size, path: path)
        return Parsed(version: version, metadata: metadata, metadataKeys: keys, tensors: tensors,
                      tensorNames: infos.map(\.name), alignment: alignment, dataOffset: dataOffset)
    }

    private static func requireRoom(_ cursor: inout GGUFCursor, count: Int, each: Int,
                                    _ what: String) throws(GGUFError) {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: each)
        try cursor.require(overflow ? -1 : bytes, what)
    }

    private static func readAlignment(_ metadata: [String: GGUFValue], path: String) throws(GGUFError) -> Int {
        let key = "general.alignment"
        guard let value = metadata[key] else { return defaultAlignment }
        guard case .uint32(let raw) = value else {
            throw .badMetadata(path: path, key: key, problem: "expected uint32, found \(value.type)")
        }
        let alignment = Int(raw)
        guard alignment > 0, alignment & (alignment - 1) == 0 else {
            throw .badMetadata(path: path, key: key, problem: "\(alignment) is not a power of two")
        }
        return alignment
    }

    private static func readValue(_ cursor: inout GGUFCursor, key: String, depth: Int) throws(GGUFError) -> GGUFValue {
        let tag = try cursor.read(UInt32.self, "the type of metadata '\(key)'")
        guard let type = GGUFValueType(rawValue: tag) else {
            throw .badMetadata(path: cursor.path, key: key, problem: "unknown value type \(tag)")
        }
        return try readValue(&cursor, type: type, key: key, depth: depth)
    }

    private static func readValue(_ cursor: inout GGUFCursor, type: GGUFValueType, key: String,
                                  depth: Int) throws(GGUFError) -> GGUFValue {
        let what = "metadata '\(key)'"
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self, what))
        case .int8: return .int8(try cursor.read(Int8.self, what))
        case .uint16: return .uint16(try cursor.read(UInt16.self, what))
        case .int16: return .int16(try cursor.read(Int16.self, what))
        case .uint32: return .uint32(try cursor.read(UInt32.self, what))
        case .int32: return .int32(try cursor.read(Int32.self, what))
        case .uint64: return .uint64(try cursor.read(UInt64.self, what))
        case .int64: return .int64(try cursor.read(Int64.self, what))
        case .float32: return .float32(Float(bitPattern: try cursor.read(UInt32.self, what)))
        case .float64: return .float64(Double(bitPattern: try cursor.read(UInt64.self, what)))
        case .bool:
            let byte = try cursor.read(UInt8.self, what)
            guard byte <= 1 else {
                throw .badMetadata(path: cursor.path, key: key, problem: "bool byte is \(byte), not 0 or 1")
            }
            return .bool(byte == 1)
        case .string: return .string(try cursor.readString(what))
        case .array:
            guard depth < maxArrayDepth else {
                throw .badMetadata(path: cursor.path, key: key, problem: "arrays nested deeper than \(maxArrayDepth)")
            }
            let tag = try cursor.read(UInt32.self, "the element type of \(what)")
            guard let elementType = GGUFValueType(rawValue: tag) else {
                throw .badMetadata(path: cursor.path, key: key, problem: "unknown array element type \(tag)")
            }
            let count = try cursor.readCount("the length of \(what)")
            try requireRoom(&cursor, count: count, each: elementType.minimumEncodedSize,
                            "\(count) elements of \(what)")
            var elements: [GGUFValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count {
                elements.append(try readValue(&cursor, type: elementType, key: key, depth: depth + 1))
            }
            return .array(elementType: elementType, elements)
        }
    }

    private static func readTensorInfo(_ cursor: inout GGUFCursor, index: Int) throws(GGUFError) -> GGUFTensorInfo {
        let path = cursor.path
        let name = try cursor.readString("the name of tensor \(index)")
        let rank = try cursor.read(UInt32.self, "the rank of tensor '\(name)'")
        guard rank >= 1, rank <= UInt32(maxDimensions) else {
            throw .badTensorShape(path: path, tensor: name, problem: "\(rank) dimensions (ggml allows 1 to \(maxDimensions))")
        }
        var shape: [Int] = []
        var elements = 1
        for axis in 0..<Int(rank) {
            let dim = try cursor.read(Int64.self, "dimension \(axis) of tensor '\(name)'")
            guard dim >= 0, let d = Int(exactly: dim) else {
                throw .badTensorShape(path: path, tensor: name, problem: "dimension \(axis) is \(dim)")
            }
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw .badTensorShape(path: path, tensor: name, problem: "the element count overflows")
            }
            elements = product
            shape.append(d)
        }
        let typeID = try cursor.read(UInt32.self, "the type of tensor '\(name)'")
        guard let type = GGMLType(rawValue: typeID) else {
            throw .unsupportedTensorType(path: path, tensor: name, typeID: typeID)
        }
        guard shape[0] % type.blockSize == 0 else {
            throw .badTensorShape(path: path, tensor: name,
                                  problem: "first dimension \(shape[0]) is not a multiple of the \(type) block size \(type.blockSize)")
        }
        let (byteCount, overflow) = (elements / type.blockSize).multipliedReportingOverflow(by: type.bytesPerBlock)
        guard !overflow else {
            throw .badTensorShape(path: path, tensor: name, problem: "the byte size overflows")
        }
        let rawOffset = try cursor.read(UInt64.self, "the offset of tensor '\(name)'")
        guard let offset = Int(exactly: rawOffset) else {
            throw .badTensorOffset(path: path, tensor: name, problem: "offset \(rawOffset) is out of range")
        }
        return GGUFTensorInfo(name: name, type: type, shape: shape, offset: offset, byteCount: byteCount)
    }

    /// Checks names are unique, data is aligned, inside the file and not overlapping.
    private static func checkPlacement(_ infos: [GGUFTensorInfo], dataOffset: Int, alignment: Int,
                                       size: Int, path: String) throws(GGUFError) -> [String: GGUFTensorInfo] {
        var tensors: [String: GGUFTensorInfo] = [:]
        tensors.reserveCapacity(infos.count)
        let dataSize = size - dataOffset
        for info in infos {
            guard tensors.updateValue(info, forKey: info.name) == nil else {
                throw .badTensorShape(path: path, tensor: info.name, problem: "the name appears twice")
            }
            guard info.offset % alignment == 0 else {
                throw .badTensorOffset(path: path, tensor: info.name,
                                       problem: "offset \(info.offset) is not a multiple of the alignment \(alignment)")
            }
            guard info.offset <= dataSize else {
                throw .badTensorOffset(path: path, tensor: info.name,
                                       problem: "offset \(info.offset) is past the end of the data section (\(dataSize) bytes)")
            }
            let (end, overflow) = info.offset.addingReportingOverflow(info.byteCount)
            guard !overflow, end <= dataSize else {
                throw .truncated(path: path, needed: overflow ? Int.max : dataOffset + end, size: size,
                                 reading: "the data of tensor '\(info.name)'")
            }
        }
        var previousEnd = 0
        var previousName = ""
        for info in infos.sorted(by: { $0.offset < $1.offset }) {
            guard info.offset >= previousEnd else {
                throw .badTensorOffset(path: path, tensor: info.name,
                                       problem: "its data overlaps tensor '\(previousName)'")
            }
            if info.byteCount > 0 {
                previousEnd = info.offset + info.byteCount
                previousName = info.name
            }
        }
        return tensors
    }
}

extension Int {
    /// `self` rounded up to a multiple of the power of two `alignment`.
    fileprivate func roundedUp(to alignment: Int) -> (Int, overflow: Bool) {
        let (sum, overflow) = addingReportingOverflow(alignment - 1)
        return (sum & ~(alignment - 1), overflow)
    }
}
