"""Train / validation / test splits of AMASS motions, including AvatarPoser's protocols.

Protocol 1 (AvatarPoser, ECCV 2022; KineST, AGRoL, HMD-Poser, AvatarJLM report on it): the
AMASS datasets CMU, BMLrub (BioMotionLab_NTroje) and HDM05 (MPI_HDM05), split motion by
motion by the published lists `data_split/<dataset>/{train,test}_split.txt` of
github.com/eth-siplab/AvatarPoser (MIT licence). The lists are read from the user's copy
of that folder (`--protocol-lists DIR`); they name files by the authors' absolute paths,
matched here by the part after the dataset folder.

Protocol 2 (AvatarPoser's cross-dataset test; AvatarJLM's `amass_p2`): the same three
datasets, one left out for testing whole (`--holdout`, default CMU as AvatarJLM's code),
the other two for training.

Without a protocol every dataset found is used, split by subject (the folder below the
dataset): CRC-32 of "dataset/subject" mod 10 = 0 -> test, 5 -> validation, else train.
The protocols have no validation set; the trainer's comes out of their train part:
motions whose CRC-32 of "dataset/path" mod 20 = 0 (about 5 %).
"""
import os
import zlib

# canonical dataset name -> folder names it has had in AMASS releases
ALIASES = {"CMU": ("CMU",), "BMLrub": ("BMLrub", "BioMotionLab_NTroje"), "HDM05": ("MPI_HDM05", "HDM05")}
PROTOCOL_DATASETS = ("CMU", "BMLrub", "HDM05")
LIST_FOLDERS = {"CMU": "CMU", "BMLrub": "BioMotionLab_NTroje", "HDM05": "MPI_HDM05"}   # AvatarPoser's data_split
VALIDATION_EVERY = 20


class ProtocolError(ValueError):
    pass


def canonical_dataset(folder):
    for name, names in ALIASES.items():
        if folder in names:
            return name
    return folder


def _crc(s):
    return zlib.crc32(s.encode("utf-8"))


def read_lists(split_dir):
    """{(dataset, path inside the dataset): "train" | "test"} from AvatarPoser's data_split folder."""
    out = {}
    for ds, sub in LIST_FOLDERS.items():
        for phase in ("train", "test"):
            path = os.path.join(split_dir, sub, "%s_split.txt" % phase)
            try:
                with open(path, encoding="utf-8") as f:
                    lines = [ln.strip() for ln in f if ln.strip()]
            except OSError as e:
                raise ProtocolError("protocol 1 list %s: %s (give AvatarPoser's data_split folder)" % (path, e.strerror))
            for ln in lines:
                parts = ln.replace("\\", "/").split("/")
                if sub not in parts:
                    raise ProtocolError("%s: %r has no %s/ folder in its path" % (path, ln, sub))
                k = len(parts) - 1 - parts[::-1].index(sub)
                rel = "/".join(parts[k + 1:])
                if rel.endswith(".npz") and os.path.basename(rel) != "shape.npz":
                    out[(ds, rel)] = phase
    return out


def _train_or_validation(ds, rel):
    return "validation" if _crc("%s/%s" % (ds, rel)) % VALIDATION_EVERY == 0 else "train"


def assign(found, protocol=None, lists=None, holdout=None):
    """Split of each (dataset folder, path inside it, full path) in `found`, None where the
    protocol leaves a motion out; and notes on what was matched."""
    notes = []
    if not protocol:
        out = []
        for ds, rel, _ in found:
            k = _crc("%s/%s" % (canonical_dataset(ds), rel.split("/")[0])) % 10
            out.append("test" if k == 0 else "validation" if k == 5 else "train")
        return out, notes
    protocol = int(protocol)
    if protocol == 1:
        if not lists:
            raise ProtocolError("--protocol 1 needs --protocol-lists: AvatarPoser's data_split folder "
                                "(git clone https://github.com/eth-siplab/AvatarPoser)")
        table = read_lists(lists)
        out, seen = [], set()
        for ds, rel, _ in found:
            key = (canonical_dataset(ds), rel)
            phase = table.get(key)
            seen.add(key)
            out.append(None if phase is None else "test" if phase == "test" else _train_or_validation(*key))
        missing = [k for k in table if k not in seen]
        notes.append("protocol 1: %d of %d listed motions found (%d train+validation, %d test)"
                     % (len(table) - len(missing), len(table), sum(s in ("train", "validation") for s in out if s),
                        sum(s == "test" for s in out)))
        if missing:
            notes.append("protocol 1: %d listed motions are not in this AMASS folder, e.g. %s/%s"
                         % (len(missing), missing[0][0], missing[0][1]))
        return out, notes
    if protocol == 2:
        holdout = canonical_dataset(holdout or "CMU")
        if holdout not in PROTOCOL_DATASETS:
            raise ProtocolError("--holdout must be one of %s, not %r" % (", ".join(PROTOCOL_DATASETS), holdout))
        out = []
        for ds, rel, _ in found:
            c = canonical_dataset(ds)
            out.append(None if c not in PROTOCOL_DATASETS else "test" if c == holdout else _train_or_validation(c, rel))
        notes.append("protocol 2: test on %s, train on %s" % (holdout, ", ".join(d for d in PROTOCOL_DATASETS
                                                                                  if d != holdout)))
        return out, notes
    raise ProtocolError("--protocol must be 1 or 2, not %r" % protocol)
