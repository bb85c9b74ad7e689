//! Placeholders for multi-row `INSERT … VALUES`, kept within SQLite's limit on bind parameters.

/// Bind parameters one statement may hold: SQLite's limit before 3.32. The bundled SQLite
/// (3.46) takes 32,766, but staying under the old limit keeps every build working.
pub(super) const MAX_BINDS: usize = 999;

/// Rows per multi-row statement. Every row count is a statement of its own in the
/// connection's statement cache (sqlx keeps 100), so a small bound keeps them all prepared;
/// a full batch of 64 posts is then four statements per table instead of 64.
pub(super) const ROWS_PER_STATEMENT: usize = 16;

/// `prefix` followed by the placeholders of 1, 2, … [`ROWS_PER_STATEMENT`] rows: entry `n - 1`
/// writes `n` rows. Built once, since every batch uses them.
pub(super) fn statements(prefix: &str, columns: usize) -> Vec<String> {
    (1..=ROWS_PER_STATEMENT)
        .map(|n| format!("{prefix}{}", rows(n, columns)))
        .collect()
}

/// `($1, $2), ($3, $4)` for two rows of two columns.
pub(super) fn rows(rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(row * columns + column + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(rows(1, 3), "($1, $2, $3)");
        assert_eq!(rows(2, 2), "($1, $2), ($3, $4)");
        assert_eq!(rows(0, 4), "");
    }

    #[test]
    fn statements_are_indexed_by_row_count_less_one() {
        let all = statements("INSERT INTO t (a) VALUES ", 1);
        assert_eq!(all.len(), ROWS_PER_STATEMENT);
        assert_eq!(all[0], "INSERT INTO t (a) VALUES ($1)");
        assert_eq!(all[1], "INSERT INTO t (a) VALUES ($1), ($2)");
    }
}
