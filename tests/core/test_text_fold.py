from motcua.core.text import fold


def test_fold_makes_vietnamese_search_accent_insensitive():
    assert fold("Đăng ký KẾT HÔN") == "dang ky ket hon"
    assert fold("  Chứng   thực  ") == "chung thuc"
    assert fold("") == ""
