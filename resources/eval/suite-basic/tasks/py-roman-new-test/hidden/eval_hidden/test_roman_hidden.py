import unittest
import pathlib
from roman import to_roman

class Hidden(unittest.TestCase):
    def test_subtractive(self):
        for n, s in [(4, 'IV'), (9, 'IX'), (14, 'XIV'), (40, 'XL'), (90, 'XC'), (400, 'CD'), (1994, 'MCMXCIV'), (3, 'III')]:
            self.assertEqual(to_roman(n), s)

    def test_new_test_module(self):
        text = pathlib.Path('tests/test_roman.py').read_text()
        self.assertIn('to_roman', text)

if __name__ == '__main__':
    unittest.main()
