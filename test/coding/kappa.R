# Cohen's kappa of the worked example (Wikipedia, « Cohen's kappa », 50 proposals read by two
# readers: both yes 20, A yes B no 5, A no B yes 10, both no 15), in base R (package irr is not
# installed). test/coding/kappa.test.ts checks src/coding/agreement.ts gives the same figures.
#   Rscript test/coding/kappa.R   →   po = 0.7, pe = 0.5, kappa = 0.4
t <- matrix(c(20, 5, 10, 15), nrow = 2, byrow = TRUE, dimnames = list(A = c("oui", "non"), B = c("oui", "non")))
n <- sum(t)
po <- sum(diag(t)) / n
pe <- sum(rowSums(t) * colSums(t)) / n^2
kappa <- (po - pe) / (1 - pe)
cat(sprintf("po = %.4f, pe = %.4f, kappa = %.4f\n", po, pe, kappa))
# A second table, asymmetric, for the test: both 45, A only 15, B only 25, neither 15 (n = 100).
t2 <- matrix(c(45, 15, 25, 15), nrow = 2, byrow = TRUE)
po2 <- sum(diag(t2)) / sum(t2)
pe2 <- sum(rowSums(t2) * colSums(t2)) / sum(t2)^2
cat(sprintf("po = %.4f, pe = %.4f, kappa = %.4f\n", po2, pe2, (po2 - pe2) / (1 - pe2)))
