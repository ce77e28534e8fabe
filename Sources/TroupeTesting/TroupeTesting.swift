public enum TroupeTesting {}
