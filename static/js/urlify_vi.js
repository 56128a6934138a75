/* Vietnamese titles keep their letters in generated identifiers:
   "Kiểm thử dùng chung bộ phận" -> "kiem-thu-dung-chung-bo-phan", not "kim-th-".
   Django's URLify drops letters it has no table for (most Vietnamese vowels
   with two marks); fold them to ASCII first, as agencies.text.slugify_vi does
   on the server. Loaded after admin/js/urlify.js. */
'use strict';
{
    const djangoURLify = window.URLify;
    function foldVietnamese(text) {
        return text.replace(/đ/g, 'd').replace(/Đ/g, 'D')
            .normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    }
    window.URLify = function(s, numChars, allowUnicode) {
        return djangoURLify(foldVietnamese(s), numChars, allowUnicode);
    };
}
