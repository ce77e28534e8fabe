import Troupe
