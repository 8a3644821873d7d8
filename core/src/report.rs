//! `report` tells what happened: the session record and the printable order card.
