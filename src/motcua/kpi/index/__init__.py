"""The service index (Chỉ số phục vụ người dân, doanh nghiệp, QĐ 766): issue 16.

`engine` is the public API (/work/index-spec/API.md); `formulas` the formula set as data;
`measures` each indicator's numerator and denominator; `export` the drill-down workbook."""
