# Writes a diamonds-shaped CSV (the Kaggle layout: a quoted index column, quoted strings, bare
# numbers) with `rows` records. About 1 in 2,700 rows has z = 0, as in the real data, so the ETL
# rejects a realistic share. Usage: awk -v rows=1000000 -f generate.awk > out.csv
BEGIN {
  srand(42)
  split("Fair,Good,Very Good,Premium,Ideal", cuts, ",")
  split("D,E,F,G,H,I,J", colors, ",")
  split("I1,SI2,SI1,VS2,VS1,VVS2,VVS1,IF", clarities, ",")
  print "\"\",\"carat\",\"cut\",\"color\",\"clarity\",\"depth\",\"table\",\"price\",\"x\",\"y\",\"z\""
  for (i = 1; i <= rows; i++) {
    carat = 0.2 + int(rand() * 300) / 100
    x = 3.8 + int(rand() * 600) / 100
    y = x + int(rand() * 20) / 100
    z = (i % 2700 == 0) ? 0 : int(x * 62) / 100
    printf "\"%d\",%s,\"%s\",\"%s\",\"%s\",%.1f,%d,%d,%s,%s,%s\n", i, carat, cuts[1 + int(rand() * 5)],
           colors[1 + int(rand() * 7)], clarities[1 + int(rand() * 8)], 55 + rand() * 15,
           50 + int(rand() * 20), 300 + int(rand() * 18000), x, y, z
  }
}
