import unittest
from temperature import convert, c_to_f, k_to_c

class Hidden(unittest.TestCase):
    def test_convert(self):
        self.assertAlmostEqual(convert(100, 'C', 'F'), 212)
        self.assertAlmostEqual(convert(32, 'F', 'K'), 273.15)
        self.assertAlmostEqual(convert(0, 'K', 'F'), -459.67)
        self.assertAlmostEqual(convert(5, 'C', 'C'), 5)
        self.assertAlmostEqual(c_to_f(0), 32)
        self.assertAlmostEqual(k_to_c(0), -273.15)
        with self.assertRaises(ValueError):
            convert(1, 'C', 'X')

if __name__ == '__main__':
    unittest.main()
