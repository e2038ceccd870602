#!/bin/sh
# Regenerates the golden blobs from sample.dts with dtc 1.6.1 (run in this directory).
set -e
dtc -q -I dts -O dtb -b 3 -o sample.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -V 16 -o sample-v16.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -V 3 -o sample-v3.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -V 2 -o sample-v2.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -V 1 -o sample-v1.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -R 2 -o sample-R2.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -S 512 -o sample-S512.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -S 10 -o sample-S10.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -p 100 -o sample-p100.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -a 64 -o sample-a64.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -a 1 -o sample-a1.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -p 100 -a 64 -o sample-p100-a64.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -S 512 -a 256 -o sample-S512-a256.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -S 300 -a 256 -o sample-S300-a256.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -V 16 -R 1 -p 7 -a 16 -o sample-v16-R1-p7-a16.dtb sample.dts
dtc -q -I dts -O dtb -b 3 -V 1 -R 1 -S 400 -a 8 -o sample-v1-R1-S400-a8.dtb sample.dts
dtc -q -I dts -O dtb -o strings.dtb strings.dts
