"""kinest offline tools: motion-data import, device synthesis, clip I/O, metrics, views.

Run through the `tools/kinest` command; the modules have one job each:
bvh (parser), rot (rotation maths), skeleton (canonical skeleton + FK),
mappings/*.json (one table per source skeleton), importer (source -> canonical),
resample (-> 60 Hz), devices (headset/controller signals), clipio (.kclip),
split (the fixed split), build (`data build`), metrics + evaluate (`eval`),
view (`view`).
"""
