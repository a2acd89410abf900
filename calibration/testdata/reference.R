# Reference values for the calibration package tests.
# Run: Rscript reference.R > reference.txt   (R 4, base stats only)
x <- c(1, 2, 3, 4, 5); y <- c(2, 4, 5, 4, 5)
ct <- cor.test(x, y)
cat(sprintf("cor %.15g lo %.15g hi %.15g\n", ct$estimate, ct$conf.int[1], ct$conf.int[2]))
cat(sprintf("quantile7 p=0.3 %.15g p=0.95 %.15g\n",
            quantile(c(1, 2, 3, 4, 10), 0.3, type = 7), quantile(c(1, 2, 3, 4, 10), 0.95, type = 7)))
cat(sprintf("qbinom(.005,.995; 1000, 1/20) %d %d\n", qbinom(0.005, 1000, 1/20), qbinom(0.995, 1000, 1/20)))
cat(sprintf("qbinom(.025,.975; 200, 1/10) %d %d\n", qbinom(0.025, 200, 1/10), qbinom(0.975, 200, 1/10)))
cat(sprintf("pbinom(40; 100, .5) %.15g  pbinom(3; 1000, .01) %.15g  pbinom(990; 1000, .999) %.15g\n",
            pbinom(40, 100, 0.5), pbinom(3, 1000, 0.01), pbinom(990, 1000, 0.999)))
cat(sprintf("pchisq(10, 2, upper) %.15g  pchisq(30.14, 19, upper) %.15g\n",
            pchisq(10, 2, lower.tail = FALSE), pchisq(30.14, 19, lower.tail = FALSE)))
cat(sprintf("qbeta(.025,.975; 181, 21) %.15g %.15g\n", qbeta(0.025, 181, 21), qbeta(0.975, 181, 21)))
