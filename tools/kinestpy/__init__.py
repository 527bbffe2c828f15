"""kinest offline tools: motion-data import, device synthesis, clip I/O, metrics, views.

Run through the `tools/kinest` command; the modules have one job each:
bvh and asf (BVH and ASF/AMC readers), rot (rotation maths), skeleton
(canonical skeleton + FK), mappings/*.json (one table per source skeleton),
importer (source -> canonical), resample (-> 60 Hz), devices (headset/controller
signals), clipio (.kclip), split (the fixed split), build (`data build`),
augment (training augmentation), metrics + evaluate (`eval`, `eval --report`),
baseline (`baseline mean-pose`), view (`view`).
"""
