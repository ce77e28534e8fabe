public enum TroupeStore {}
