# bench/chart.gp: requests/s per scenario for latchkey, its floor and the
# peer, from chart.dat (written by report.mjs); run in the results directory.
set terminal pngcairo size 1300,560 font "sans,10"
set output "chart.png"
title = system("cat chart.title 2>/dev/null")
set title title
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [1:400000]
set ylabel "requests/s (log scale)"
set grid ytics
set key top right
set xtics nomirror
set datafile missing "NaN"
plot "chart.dat" using 2:xtic(1) title "latchkey" lc rgb "#2b6cb0", \
     "" using 3 title "floor: (b) SELECT / write / (c) argon2id / (a) static" lc rgb "#9aa5b1", \
     "" using 4 title "peer: Better Auth" lc rgb "#dd6b20", \
     "" using ($0-0.3):2:(sprintf("%.0f",$2)) with labels offset 0,0.6 font ",8" notitle, \
     "" using ($0):3:(sprintf("%.0f",$3)) with labels offset 0,0.6 font ",8" notitle, \
     "" using ($0+0.3):4:(sprintf("%.0f",$4)) with labels offset 0,0.6 font ",8" notitle
